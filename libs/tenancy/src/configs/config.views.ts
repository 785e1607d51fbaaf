import type { ConfigEntity, ConfigRuleEntity, ConfigVariantEntity, ConfigVariantVersionEntity } from '@switchyard/persistence';

export interface ConfigVariantVersionView {
  id: string;
  variant_id: string;
  version: number;
  model: string | null;
  system_prompt: string | null;
  parameters: Record<string, unknown>;
  created_at: string;
}

export interface ConfigVariantView {
  id: string;
  config_id: string;
  name: string;
  latest: ConfigVariantVersionView | null;
  created_at: string;
}

export interface ConfigRuleView {
  id: string;
  variant: string;
  variant_id: string;
  /** The pinned version; null: the variant's latest. */
  version: number | null;
  environment: string | null;
  priority: number;
  weight: number;
  conditions: unknown;
  enabled: boolean;
}

export interface ConfigView {
  id: string;
  slug: string;
  name: string;
  created_at: string;
  modified_at: string;
  /** In a single config's answer only. */
  variants?: ConfigVariantView[];
  rules?: ConfigRuleView[];
}

export function configView(c: ConfigEntity, detail?: { variants: ConfigVariantView[]; rules: ConfigRuleView[] }): ConfigView {
  return { id: c.id, slug: c.slug, name: c.name, created_at: c.createdAt.toISOString(), modified_at: c.modifiedAt.toISOString(), ...detail };
}

export function variantVersionView(v: ConfigVariantVersionEntity): ConfigVariantVersionView {
  return {
    id: v.id,
    variant_id: v.variantId,
    version: v.version,
    model: v.data.model,
    system_prompt: v.data.system_prompt,
    parameters: v.data.parameters,
    created_at: v.createdAt.toISOString(),
  };
}

export function variantView(v: ConfigVariantEntity, latest: ConfigVariantVersionEntity | null): ConfigVariantView {
  return { id: v.id, config_id: v.configId, name: v.name, latest: latest ? variantVersionView(latest) : null, created_at: v.createdAt.toISOString() };
}

export function ruleView(r: ConfigRuleEntity, variantName: string, pinned: number | null): ConfigRuleView {
  return {
    id: r.id,
    variant: variantName,
    variant_id: r.variantId,
    version: pinned,
    environment: r.environment,
    priority: r.priority,
    weight: r.weight,
    conditions: r.conditions ?? null,
    enabled: r.enabled,
  };
}
