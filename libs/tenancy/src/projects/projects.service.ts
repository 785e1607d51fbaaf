import type { AdminScope, GatewayEventBus, SecretBox } from '@switchyard/auth';
import { applySettings, type OrganizationsRepository, type ProjectEntity, type ProjectsRepository } from '@switchyard/persistence';
import {
  conflict,
  DLP_BUILT_IN_PROFILES,
  invalidRequest,
  MAX_SPEND_RULES,
  newId,
  notFound,
  projectPatchSchema,
  parseOr400,
  spendRuleInputSchema,
  type ProjectSettings,
  type SpendRule,
} from '@switchyard/types';
import type { DlpProfilesService } from '../dlp-profiles/dlp-profiles.service';
import { requireOrganization } from '../organizations/organization-access';
import { projectView, type ProjectView, type ProjectWithSecretView } from '../tenancy.views';
import { createProjectSchema } from './project.dto';
import { newProject, newWebhookSecret, slugify } from './project-factory';
import { findProject } from './project-ref';

/**
 * Projects of an organization, named by slug or UUID: creation, gateway settings, the webhook secret
 * (shown on creation and rotation only). Every change publishes `project.changed` for the cached copies.
 */
export class ProjectsService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly projects: ProjectsRepository,
    private readonly secrets: SecretBox,
    private readonly events: GatewayEventBus,
    private readonly dlpProfiles: DlpProfilesService,
  ) {}

  async create(scope: AdminScope, organizationId: string, input: unknown): Promise<ProjectWithSecretView> {
    await requireOrganization(this.orgs, scope, organizationId);
    const dto = parseOr400(createProjectSchema, input);
    const slug = dto.id ?? slugify(dto.name);
    if (await this.projects.findBySlug(organizationId, slug)) throw conflict(`Project '${slug}' already exists.`, 'project_exists', 'id');
    const webhookSecret = newWebhookSecret();
    await this.projects.insert(organizationId, newProject(this.secrets, { organizationId, slug, name: dto.name, isDefault: false }, webhookSecret));
    return { ...projectView(await this.require(organizationId, slug)), webhook_secret: webhookSecret };
  }

  async list(scope: AdminScope, organizationId: string): Promise<ProjectView[]> {
    await requireOrganization(this.orgs, scope, organizationId);
    return (await this.projects.list(organizationId)).map(projectView);
  }

  async get(scope: AdminScope, organizationId: string, ref: string): Promise<ProjectView> {
    await requireOrganization(this.orgs, scope, organizationId);
    return projectView(await this.require(organizationId, ref));
  }

  /** Validates a settings patch without applying it (a 400 naming the field otherwise). */
  checkPatch(input: unknown): void {
    parseOr400(projectPatchSchema, input);
  }

  async patch(scope: AdminScope, organizationId: string, ref: string, input: unknown): Promise<ProjectView> {
    await requireOrganization(this.orgs, scope, organizationId);
    const patch = parseOr400(projectPatchSchema, input);
    const project = await this.require(organizationId, ref);
    const { name, retention_days, ...settings } = patch;
    if (settings.dlp) await this.requireDlpProfiles(organizationId, settings.dlp);
    if (name !== undefined) project.name = name;
    if (retention_days !== undefined) project.retentionDays = retention_days;
    applySettings(project, settings);
    return projectView(await this.saveAndPublish(project));
  }

  /** Deletes a project with everything it holds; the organization's default project cannot be deleted. */
  async delete(scope: AdminScope, organizationId: string, ref: string): Promise<ProjectView> {
    await requireOrganization(this.orgs, scope, organizationId);
    const project = await this.require(organizationId, ref);
    if (project.isDefault) throw conflict(`Project '${project.slug}' is the organization's default project and cannot be deleted.`, 'default_project', 'id');
    await this.projects.delete(organizationId, project.id);
    await this.events.publish({ type: 'project.changed', organizationId, projectId: project.id });
    return projectView(project);
  }

  async rotateWebhookSecret(scope: AdminScope, organizationId: string, ref: string): Promise<ProjectWithSecretView> {
    await requireOrganization(this.orgs, scope, organizationId);
    const project = await this.require(organizationId, ref);
    const secret = newWebhookSecret();
    project.webhookSecretSealed = this.secrets.seal(secret, project.id);
    return { ...projectView(await this.saveAndPublish(project)), webhook_secret: secret };
  }

  /** The project's spend-limit rules. */
  async listSpendRules(scope: AdminScope, organizationId: string, ref: string): Promise<SpendRule[]> {
    await requireOrganization(this.orgs, scope, organizationId);
    return (await this.require(organizationId, ref)).spendRules;
  }

  /** Adds a spend rule (at most MAX_SPEND_RULES per project). */
  async createSpendRule(scope: AdminScope, organizationId: string, ref: string, input: unknown): Promise<SpendRule> {
    await requireOrganization(this.orgs, scope, organizationId);
    const project = await this.require(organizationId, ref);
    if (project.spendRules.length >= MAX_SPEND_RULES) throw invalidRequest(`A project has at most ${MAX_SPEND_RULES} spend rules.`, 'spend_rules', 'too_many_spend_rules');
    const rule: SpendRule = { id: newId(), ...parseOr400(spendRuleInputSchema, input), created_at: new Date().toISOString() };
    project.spendRules = [...project.spendRules, rule];
    await this.saveAndPublish(project);
    return rule;
  }

  /** Changes a spend rule's fields (validated whole after the change); its id and window anchor stay. */
  async patchSpendRule(scope: AdminScope, organizationId: string, ref: string, ruleId: string, input: unknown): Promise<SpendRule> {
    await requireOrganization(this.orgs, scope, organizationId);
    const project = await this.require(organizationId, ref);
    const existing = requireRule(project, ruleId);
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw invalidRequest('The request body must be a JSON object.');
    const { id, created_at, ...fields } = existing;
    const rule: SpendRule = { id, ...parseOr400(spendRuleInputSchema, { ...fields, ...input }), created_at };
    project.spendRules = project.spendRules.map((r) => (r.id === ruleId ? rule : r));
    await this.saveAndPublish(project);
    return rule;
  }

  async deleteSpendRule(scope: AdminScope, organizationId: string, ref: string, ruleId: string): Promise<{ id: string; deleted: true }> {
    await requireOrganization(this.orgs, scope, organizationId);
    const project = await this.require(organizationId, ref);
    requireRule(project, ruleId);
    project.spendRules = project.spendRules.filter((r) => r.id !== ruleId);
    await this.saveAndPublish(project);
    return { id: ruleId, deleted: true };
  }

  /** The project's webhook signing secret, opened (for the documents service only; never returned by the API). */
  async webhookSecretOf(organizationId: string, projectId: string): Promise<string> {
    const project = await this.projects.findById(organizationId, projectId);
    if (!project) throw notFound('Project not found.', 'project_not_found');
    return this.secrets.open(project.webhookSecretSealed, project.id);
  }

  /** Re-seals every webhook secret not sealed under the current master key; returns how many. */
  async resealWebhookSecrets(): Promise<number> {
    let count = 0;
    for (const org of await this.orgs.list()) {
      for (const project of await this.projects.list(org.id)) {
        const keyId = project.webhookSecretSealed.split('.')[1];
        if (keyId === this.secrets.currentKeyId) continue;
        project.webhookSecretSealed = this.secrets.seal(this.secrets.open(project.webhookSecretSealed, project.id), project.id);
        await this.projects.save(org.id, project);
        count += 1;
      }
    }
    return count;
  }

  /** Every profile a `dlp` setting names is a built-in or one of the organization's custom profiles (else a 400). */
  private async requireDlpProfiles(organizationId: string, dlp: NonNullable<ProjectSettings['dlp']>): Promise<void> {
    const named = 'policies' in dlp ? dlp.policies.flatMap((p) => p.profiles) : dlp.profiles;
    const custom = [...new Set(named.filter((id) => !(DLP_BUILT_IN_PROFILES as readonly string[]).includes(id)))];
    const unknown = await this.dlpProfiles.unknownIds(organizationId, custom);
    if (unknown.length) throw invalidRequest(`dlp names unknown profile(s): ${unknown.join(', ')}.`, 'dlp', 'dlp_profile_not_found');
  }

  private async require(organizationId: string, ref: string): Promise<ProjectEntity> {
    const project = await findProject(this.projects, organizationId, ref);
    if (!project) throw notFound(`Project '${ref}' not found.`, 'project_not_found');
    return project;
  }

  private async saveAndPublish(project: ProjectEntity): Promise<ProjectEntity> {
    const saved = await this.projects.save(project.organizationId, project);
    await this.events.publish({ type: 'project.changed', organizationId: project.organizationId, projectId: project.id });
    return saved;
  }
}

function requireRule(project: ProjectEntity, ruleId: string): SpendRule {
  const rule = project.spendRules.find((r) => r.id === ruleId);
  if (!rule) throw notFound(`Spend rule '${ruleId}' not found in project '${project.slug}'.`, 'spend_rule_not_found');
  return rule;
}
