import type { AdminScope, GatewayEventBus } from '@switchyard/auth';
import { ConfigEntity, type ConfigRuleInput, type ConfigsRepository, type ConfigVariantData, type ConfigVariantEntity, type OrganizationsRepository, type ProjectEntity, type ProjectsRepository } from '@switchyard/persistence';
import { conflict, invalidRequest, isUuid, newId, notFound, parseOr400 } from '@switchyard/types';
import { requireProject } from '../projects/project-ref';
import { slugify } from '../projects/project-factory';
import type { DeletedView } from '../tenancy.views';
import { createConfigSchema, createVariantSchema, patchConfigSchema, putRulesSchema, variantVersionSchema } from './config.dto';
import { configView, ruleView, variantVersionView, variantView, type ConfigRuleView, type ConfigVariantVersionView, type ConfigVariantView, type ConfigView } from './config.views';

/**
 * Checks of what a config saves that need the routing lib (tenancy does not depend on it), bound by the app: a
 * template (Nunjucks, sandboxed), a JSONLogic condition, request parameters. Each throws a 400 naming `param`.
 */
export interface ConfigChecks {
  template(source: string, param: string): void;
  condition(logic: unknown, param: string): void;
  parameters(parameters: Record<string, unknown>, param: string): void;
}

/**
 * A project's LLMOps configs: variants with numbered versions, targeting rules naming a variant (pinned version or
 * latest). Every change that alters what requests get publishes `configs.changed` for the routers' in-memory copies.
 */
export class ConfigsService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly projects: ProjectsRepository,
    private readonly configs: ConfigsRepository,
    private readonly events: GatewayEventBus,
    private readonly checks: ConfigChecks,
  ) {}

  async create(scope: AdminScope, organizationId: string, projectRef: string, input: unknown): Promise<ConfigView> {
    const dto = parseOr400(createConfigSchema, input);
    const project = await this.project(scope, organizationId, projectRef);
    const slug = dto.slug ?? slugify(dto.name);
    await this.slugFree(project, slug, null);
    const saved = await this.configs.save(project.id, Object.assign(new ConfigEntity(), { id: newId(), slug, name: dto.name }));
    // A router may hold the project's configs without this one: it must load them again.
    await this.publish(project);
    return configView(saved, { variants: [], rules: [] });
  }

  async list(scope: AdminScope, organizationId: string, projectRef: string): Promise<ConfigView[]> {
    const project = await this.project(scope, organizationId, projectRef);
    return (await this.configs.list(project.id)).map((c) => configView(c));
  }

  async get(scope: AdminScope, organizationId: string, projectRef: string, ref: string): Promise<ConfigView> {
    const { config } = await this.config(scope, organizationId, projectRef, ref);
    return this.detail(config);
  }

  async update(scope: AdminScope, organizationId: string, projectRef: string, ref: string, input: unknown): Promise<ConfigView> {
    const dto = parseOr400(patchConfigSchema, input);
    const { project, config } = await this.config(scope, organizationId, projectRef, ref);
    if (dto.slug !== undefined && dto.slug !== config.slug) await this.slugFree(project, dto.slug, config.id);
    Object.assign(config, dto.name === undefined ? {} : { name: dto.name }, dto.slug === undefined ? {} : { slug: dto.slug });
    const saved = await this.configs.save(project.id, config);
    await this.publish(project);
    return this.detail(saved);
  }

  async delete(scope: AdminScope, organizationId: string, projectRef: string, ref: string): Promise<DeletedView> {
    const { project, config } = await this.config(scope, organizationId, projectRef, ref);
    await this.configs.delete(project.id, config.id);
    await this.publish(project);
    return { id: config.id, deleted: true };
  }

  /** A new variant with its version 1. */
  async createVariant(scope: AdminScope, organizationId: string, projectRef: string, ref: string, input: unknown): Promise<ConfigVariantView> {
    const dto = parseOr400(createVariantSchema, input);
    const data = this.versionData(dto);
    const { config } = await this.config(scope, organizationId, projectRef, ref);
    if (await this.configs.findVariant(config, { name: dto.name })) throw conflict(`Config '${config.slug}' already has a variant named '${dto.name}'.`, 'variant_exists', 'name');
    const { variant, version } = await this.configs.createVariant(config, dto.name, data);
    return variantView(variant, version);
  }

  async listVariants(scope: AdminScope, organizationId: string, projectRef: string, ref: string): Promise<ConfigVariantView[]> {
    const { config } = await this.config(scope, organizationId, projectRef, ref);
    return this.variantViews(config);
  }

  async deleteVariant(scope: AdminScope, organizationId: string, projectRef: string, ref: string, variantRef: string): Promise<DeletedView> {
    const { project, variant } = await this.variant(scope, organizationId, projectRef, ref, variantRef);
    await this.configs.deleteVariant(variant);
    await this.publish(project);
    return { id: variant.id, deleted: true };
  }

  async listVersions(scope: AdminScope, organizationId: string, projectRef: string, ref: string, variantRef: string): Promise<ConfigVariantVersionView[]> {
    const { variant } = await this.variant(scope, organizationId, projectRef, ref, variantRef);
    return (await this.configs.listVersions(variant)).map(variantVersionView);
  }

  /** The variant's next version; rules that follow the latest serve it at once. */
  async createVersion(scope: AdminScope, organizationId: string, projectRef: string, ref: string, variantRef: string, input: unknown): Promise<ConfigVariantVersionView> {
    const data = this.versionData(parseOr400(variantVersionSchema, input));
    const { project, variant } = await this.variant(scope, organizationId, projectRef, ref, variantRef);
    const version = await this.configs.addVersion(variant, data);
    await this.publish(project);
    return variantVersionView(version);
  }

  async listRules(scope: AdminScope, organizationId: string, projectRef: string, ref: string): Promise<ConfigRuleView[]> {
    const { config } = await this.config(scope, organizationId, projectRef, ref);
    return this.ruleViews(config, await this.configs.listVariants(config));
  }

  /** Replaces the config's targeting rules (`{"rules": [...]}`, evaluated by priority, then a weighted draw). */
  async putRules(scope: AdminScope, organizationId: string, projectRef: string, ref: string, input: unknown): Promise<ConfigRuleView[]> {
    const { rules } = parseOr400(putRulesSchema, input);
    const { project, config } = await this.config(scope, organizationId, projectRef, ref);
    const variants = await this.configs.listVariants(config);
    const rows: ConfigRuleInput[] = [];
    for (const [i, r] of rules.entries()) {
      const variant = variants.find((v) => v.id === r.variant || v.name === r.variant);
      if (!variant) throw invalidRequest(`rules[${i}].variant: config '${config.slug}' has no variant '${r.variant}'.`, `rules[${i}].variant`, 'variant_not_found');
      let variantVersionId: string | null = null;
      if (r.version != null) {
        const pinned = await this.configs.findVersion(variant, r.version);
        if (!pinned) throw invalidRequest(`rules[${i}].version: variant '${variant.name}' has no version ${r.version}.`, `rules[${i}].version`, 'variant_version_not_found');
        variantVersionId = pinned.id;
      }
      const conditions = r.conditions ?? null;
      if (conditions !== null) this.checks.condition(conditions, `rules[${i}].conditions`);
      rows.push({ variantId: variant.id, variantVersionId, environment: r.environment ?? null, priority: r.priority ?? 0, weight: r.weight ?? 100, conditions, enabled: r.enabled ?? true });
    }
    await this.configs.replaceRules(config, rows);
    await this.publish(project);
    return this.ruleViews(config, variants);
  }

  private versionData(dto: { model?: string | null; system_prompt?: string | null; parameters?: Record<string, unknown> }): ConfigVariantData {
    if (dto.system_prompt) this.checks.template(dto.system_prompt, 'system_prompt');
    const parameters = dto.parameters ?? {};
    this.checks.parameters(parameters, 'parameters');
    return { model: dto.model ?? null, system_prompt: dto.system_prompt ?? null, parameters };
  }

  private async detail(config: ConfigEntity): Promise<ConfigView> {
    const variants = await this.configs.listVariants(config);
    const [variantViews, rules] = await Promise.all([this.variantViews(config, variants), this.ruleViews(config, variants)]);
    return configView(config, { variants: variantViews, rules });
  }

  private async variantViews(config: ConfigEntity, variants?: ConfigVariantEntity[]): Promise<ConfigVariantView[]> {
    const list = variants ?? (await this.configs.listVariants(config));
    return Promise.all(list.map(async (v) => variantView(v, (await this.configs.listVersions(v)).at(-1) ?? null)));
  }

  private async ruleViews(config: ConfigEntity, variants: ConfigVariantEntity[]): Promise<ConfigRuleView[]> {
    const rules = await this.configs.listRules(config);
    const versions = await this.configs.versionsByIds(rules.flatMap((r) => (r.variantVersionId ? [r.variantVersionId] : [])));
    return rules.map((r) => ruleView(r, variants.find((v) => v.id === r.variantId)?.name ?? r.variantId, r.variantVersionId ? (versions.get(r.variantVersionId)?.version ?? null) : null));
  }

  private async slugFree(project: ProjectEntity, slug: string, self: string | null): Promise<void> {
    const other = await this.configs.findBySlug(project.id, slug);
    if (other && other.id !== self) throw conflict(`A config with slug '${slug}' already exists in this project.`, 'config_exists', 'slug');
  }

  private project(scope: AdminScope, organizationId: string, ref: string): Promise<ProjectEntity> {
    return requireProject(this.orgs, this.projects, scope, organizationId, ref);
  }

  private async config(scope: AdminScope, organizationId: string, projectRef: string, ref: string): Promise<{ project: ProjectEntity; config: ConfigEntity }> {
    const project = await this.project(scope, organizationId, projectRef);
    const config = isUuid(ref) ? await this.configs.findById(project.id, ref) : await this.configs.findBySlug(project.id, ref);
    if (!config) throw notFound(`Config '${ref}' not found.`, 'config_not_found');
    return { project, config };
  }

  private async variant(scope: AdminScope, organizationId: string, projectRef: string, ref: string, variantRef: string): Promise<{ project: ProjectEntity; variant: ConfigVariantEntity }> {
    const { project, config } = await this.config(scope, organizationId, projectRef, ref);
    const variant = await this.configs.findVariant(config, isUuid(variantRef) ? { id: variantRef } : { name: variantRef });
    if (!variant) throw notFound(`Variant '${variantRef}' of config '${config.slug}' not found.`, 'variant_not_found');
    return { project, variant };
  }

  private publish(project: ProjectEntity): Promise<void> {
    return this.events.publish({ type: 'configs.changed', organizationId: project.organizationId, projectId: project.id });
  }
}
