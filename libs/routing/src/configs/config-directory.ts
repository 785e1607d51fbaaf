import type { GatewayEventBus } from '@switchyard/auth';
import type { ConfigsRepository, ServedConfig } from '@switchyard/persistence';
import type { TargetingRule } from './config-targeting';
import { ProjectCache } from './project-cache';
import { compileSafeTemplate, type SafeTemplate } from './safe-template';

/** A variant version as a request gets it. */
export interface ServingVariant {
  name: string;
  version: number;
  model: string | null;
  parameters: Readonly<Record<string, unknown>>;
  systemPrompt: SafeTemplate | null;
}

export interface ServingRule extends TargetingRule {
  variant: ServingVariant;
}

/** A config as the router holds it: its enabled rules, in saved order, each with the variant version it serves. */
export interface ServingConfig {
  id: string;
  slug: string;
  rules: ServingRule[];
}

/** The configs of each project, compiled (templates included), in memory; `configs.changed` drops a project's. */
export class ConfigDirectory {
  private readonly projects: ProjectCache<Map<string, ServingConfig>>;

  constructor(repository: Pick<ConfigsRepository, 'served'>, events: Pick<GatewayEventBus, 'onEvent' | 'onResync'>, now?: () => number) {
    this.projects = new ProjectCache(async (projectId) => byIdAndSlug((await repository.served(projectId)).map(compileConfig)), 'configs.changed', events, now);
  }

  /** A project's config by id or slug. */
  async configOf(projectId: string, ref: string): Promise<ServingConfig | undefined> {
    return (await this.projects.get(projectId)).get(ref);
  }
}

function byIdAndSlug(configs: ServingConfig[]): Map<string, ServingConfig> {
  const map = new Map<string, ServingConfig>();
  for (const c of configs) map.set(c.id, c).set(c.slug, c);
  return map;
}

function compileConfig(served: ServedConfig): ServingConfig {
  const variants = new Map<string, ServingVariant>();
  const variantOf = (versionId: string): ServingVariant => {
    let variant = variants.get(versionId);
    if (!variant) {
      const v = served.versions.get(versionId)!;
      variant = {
        name: served.variants.get(v.variantId) ?? v.variantId,
        version: v.version,
        model: v.data.model,
        parameters: v.data.parameters,
        systemPrompt: v.data.system_prompt ? compileSafeTemplate(v.data.system_prompt, 'system_prompt') : null,
      };
      variants.set(versionId, variant);
    }
    return variant;
  };
  const rules: ServingRule[] = [];
  for (const r of served.rules) {
    const versionId = r.variantVersionId ?? served.latest.get(r.variantId);
    if (!r.enabled || !versionId || !served.versions.has(versionId)) continue;
    rules.push({ priority: r.priority, weight: r.weight, environment: r.environment, conditions: r.conditions ?? null, variant: variantOf(versionId) });
  }
  return { id: served.config.id, slug: served.config.slug, rules };
}
