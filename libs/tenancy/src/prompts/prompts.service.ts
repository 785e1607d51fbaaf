import type { AdminScope, GatewayEventBus } from '@switchyard/auth';
import type { OrganizationsRepository, ProjectEntity, ProjectsRepository, PromptEntity, PromptsRepository, PromptVersionData } from '@switchyard/persistence';
import { conflict, isUuid, notFound, parseOr400 } from '@switchyard/types';
import type { ConfigChecks } from '../configs/configs.service';
import { requireProject } from '../projects/project-ref';
import type { DeletedView } from '../tenancy.views';
import { createPromptSchema, deployPromptSchema, patchPromptSchema, promptVersionSchema } from './prompt.dto';
import { promptVersionView, promptView, type PromptVersionView, type PromptView } from './prompt.views';

/**
 * A project's saved prompts (Keywords AI prompts): the first save is version 1, deployed; later versions are drafts
 * (`prompt.version: "latest"` reaches the newest) until deployed. Every change publishes `prompts.changed`.
 */
export class PromptsService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly projects: ProjectsRepository,
    private readonly prompts: PromptsRepository,
    private readonly events: GatewayEventBus,
    private readonly checks: Pick<ConfigChecks, 'template' | 'parameters'>,
  ) {}

  async create(scope: AdminScope, organizationId: string, projectRef: string, input: unknown): Promise<PromptView> {
    const dto = parseOr400(createPromptSchema, input);
    const data = this.versionData(dto);
    const project = await this.project(scope, organizationId, projectRef);
    if (await this.prompts.find(project.id, { name: dto.name })) throw conflict(`A prompt named '${dto.name}' already exists in this project.`, 'prompt_exists', 'name');
    const { prompt } = await this.prompts.create(project.id, dto.name, data);
    await this.publish(project);
    return promptView(prompt, 1);
  }

  async list(scope: AdminScope, organizationId: string, projectRef: string): Promise<PromptView[]> {
    const project = await this.project(scope, organizationId, projectRef);
    return Promise.all((await this.prompts.list(project.id)).map(async (p) => promptView(p, await this.latest(p))));
  }

  async get(scope: AdminScope, organizationId: string, projectRef: string, ref: string): Promise<PromptView> {
    const { prompt } = await this.prompt(scope, organizationId, projectRef, ref);
    return promptView(prompt, await this.latest(prompt));
  }

  async rename(scope: AdminScope, organizationId: string, projectRef: string, ref: string, input: unknown): Promise<PromptView> {
    const { name } = parseOr400(patchPromptSchema, input);
    const { project, prompt } = await this.prompt(scope, organizationId, projectRef, ref);
    const other = await this.prompts.find(project.id, { name });
    if (other && other.id !== prompt.id) throw conflict(`A prompt named '${name}' already exists in this project.`, 'prompt_exists', 'name');
    prompt.name = name;
    const saved = await this.prompts.save(prompt);
    await this.publish(project);
    return promptView(saved, await this.latest(saved));
  }

  async delete(scope: AdminScope, organizationId: string, projectRef: string, ref: string): Promise<DeletedView> {
    const { project, prompt } = await this.prompt(scope, organizationId, projectRef, ref);
    await this.prompts.delete(project.id, prompt.id);
    await this.publish(project);
    return { id: prompt.id, deleted: true };
  }

  async listVersions(scope: AdminScope, organizationId: string, projectRef: string, ref: string): Promise<PromptVersionView[]> {
    const { prompt } = await this.prompt(scope, organizationId, projectRef, ref);
    return (await this.prompts.listVersions(prompt)).map((v) => promptVersionView(v, prompt));
  }

  async getVersion(scope: AdminScope, organizationId: string, projectRef: string, ref: string, version: string): Promise<PromptVersionView> {
    const { prompt } = await this.prompt(scope, organizationId, projectRef, ref);
    const n = Number(version);
    const row = Number.isInteger(n) && n >= 1 ? await this.prompts.findVersion(prompt, n) : null;
    if (!row) throw notFound(`Version '${version}' of prompt '${prompt.name}' not found.`, 'prompt_version_not_found');
    return promptVersionView(row, prompt);
  }

  /** A new draft version: requests reach it with `prompt.version` set to its number or `"latest"`. */
  async createVersion(scope: AdminScope, organizationId: string, projectRef: string, ref: string, input: unknown): Promise<PromptVersionView> {
    const data = this.versionData(parseOr400(promptVersionSchema, input));
    const { project, prompt } = await this.prompt(scope, organizationId, projectRef, ref);
    const version = await this.prompts.addVersion(prompt, data);
    await this.publish(project);
    return promptVersionView(version, prompt);
  }

  /** Makes a version the deployed one (a rollback is deploying an older one). */
  async deploy(scope: AdminScope, organizationId: string, projectRef: string, ref: string, input: unknown): Promise<PromptView> {
    const { version } = parseOr400(deployPromptSchema, input);
    const { project, prompt } = await this.prompt(scope, organizationId, projectRef, ref);
    if (!(await this.prompts.findVersion(prompt, version))) throw notFound(`Prompt '${prompt.name}' has no version ${version}.`, 'prompt_version_not_found', 'version');
    prompt.deployedVersion = version;
    const saved = await this.prompts.save(prompt);
    await this.publish(project);
    return promptView(saved, await this.latest(saved));
  }

  private versionData(dto: { messages: PromptVersionData['messages']; model?: string | null; parameters?: Record<string, unknown> }): PromptVersionData {
    dto.messages.forEach((m, i) => this.checks.template(m.content, `messages[${i}].content`));
    const parameters = dto.parameters ?? {};
    this.checks.parameters(parameters, 'parameters');
    return { messages: dto.messages, model: dto.model ?? null, parameters };
  }

  private async latest(prompt: PromptEntity): Promise<number> {
    return (await this.prompts.listVersions(prompt)).at(-1)?.version ?? 0;
  }

  private project(scope: AdminScope, organizationId: string, ref: string): Promise<ProjectEntity> {
    return requireProject(this.orgs, this.projects, scope, organizationId, ref);
  }

  private async prompt(scope: AdminScope, organizationId: string, projectRef: string, ref: string): Promise<{ project: ProjectEntity; prompt: PromptEntity }> {
    const project = await this.project(scope, organizationId, projectRef);
    const prompt = await this.prompts.find(project.id, isUuid(ref) ? { id: ref } : { name: ref });
    if (!prompt) throw notFound(`Prompt '${ref}' not found.`, 'prompt_not_found');
    return { project, prompt };
  }

  private publish(project: ProjectEntity): Promise<void> {
    return this.events.publish({ type: 'prompts.changed', organizationId: project.organizationId, projectId: project.id });
  }
}
