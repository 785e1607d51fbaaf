import type { ModelParameterRules } from '@switchyard/providers';
import type { ProviderId } from '@switchyard/types';
import { normalizeProviderId } from '@switchyard/types';
import data from './models.json';

export interface CatalogModel {
  slug: string;
  context_window: number;
  max_output_tokens: number;
  capabilities: string[];
  providers: { provider: ProviderId; model: string }[];
  /** The endpoints the model serves, named as request types (`chat.completions`, `embeddings`…); absent: chat only. */
  endpoints?: string[];
  /** Per-token prices; null for a model priced otherwise (per image, per minute, per character): its calls cost null. */
  pricing: { input_per_mtok: number; output_per_mtok: number; cached_input_per_mtok: number | null; currency: string; checked: string } | null;
  /** The name of its entry in `parameter_profiles`: which OpenAI parameters the model accepts (absent: all). */
  parameters?: string;
}

/** The parameter rules for provider model ids the catalog has no entry for (dated snapshots, newer models of a family). */
export interface ParameterPattern {
  providers: string[];
  /** A regular expression over the provider's model id. */
  match: string;
  /** The name of its entry in `parameter_profiles`. */
  parameters: string;
}

/** What `models.json` holds. */
export interface CatalogDocument {
  version: string;
  models: unknown[];
  parameter_profiles?: Record<string, ModelParameterRules>;
  parameter_patterns?: ParameterPattern[];
}

/** What a model without `endpoints` serves. */
export const CHAT_ONLY = ['chat.completions'];

/** The versioned model catalog (`models.json`): which providers serve a slug, limits, capabilities, prices. */
export class ModelCatalog {
  readonly version: string;
  private readonly bySlug = new Map<string, CatalogModel>();
  private readonly byUpstream = new Map<string, CatalogModel>();
  private readonly profiles: Record<string, ModelParameterRules>;
  private readonly patterns: { providers: Set<ProviderId>; match: RegExp; rules: ModelParameterRules }[];

  constructor(doc: CatalogDocument = data as CatalogDocument) {
    this.version = doc.version;
    this.profiles = doc.parameter_profiles ?? {};
    const profile = (name: string, where: string) => {
      const rules = this.profiles[name];
      if (!rules) throw new Error(`catalog: unknown parameter profile '${name}' for ${where}`);
      return rules;
    };
    this.patterns = (doc.parameter_patterns ?? []).map((p) => ({
      providers: new Set(p.providers.map((id) => normalizeProviderId(id) ?? id) as ProviderId[]),
      match: new RegExp(p.match),
      rules: profile(p.parameters, p.match),
    }));
    for (const raw of doc.models as CatalogModel[]) {
      const model: CatalogModel = {
        ...raw,
        providers: raw.providers.map((p) => {
          const provider = normalizeProviderId(p.provider);
          if (!provider) throw new Error(`catalog: unknown provider '${p.provider}' for ${raw.slug}`);
          return { provider, model: p.model };
        }),
      };
      if (model.parameters !== undefined) profile(model.parameters, model.slug);
      this.bySlug.set(model.slug, model);
      for (const p of model.providers) this.byUpstream.set(`${p.provider}/${p.model}`, model);
    }
  }

  get(slug: string): CatalogModel | undefined {
    return this.bySlug.get(slug);
  }

  /** The catalog entry behind a provider's own model id (e.g. `openai` + `gpt-4o-mini`). */
  forUpstream(provider: ProviderId, upstreamModel: string): CatalogModel | undefined {
    return this.byUpstream.get(`${provider}/${upstreamModel}`) ?? this.bySlug.get(upstreamModel);
  }

  /**
   * Which OpenAI parameters a provider's model accepts: its catalog entry's profile, else the first pattern
   * matching the id (e.g. a dated `o3-mini-2025-01-31`); undefined when it accepts them all.
   */
  parametersFor(provider: ProviderId, upstreamModel: string): ModelParameterRules | undefined {
    const entry = this.forUpstream(provider, upstreamModel);
    if (entry) return entry.parameters === undefined ? undefined : this.profiles[entry.parameters];
    return this.patterns.find((p) => p.providers.has(provider) && p.match.test(upstreamModel))?.rules;
  }

  all(): CatalogModel[] {
    return [...this.bySlug.values()];
  }
}
