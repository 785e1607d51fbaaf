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
}

/** What a model without `endpoints` serves. */
export const CHAT_ONLY = ['chat.completions'];

/** The versioned model catalog (`models.json`): which providers serve a slug, limits, capabilities, prices. */
export class ModelCatalog {
  readonly version: string;
  private readonly bySlug = new Map<string, CatalogModel>();
  private readonly byUpstream = new Map<string, CatalogModel>();

  constructor(doc: { version: string; models: unknown[] } = data) {
    this.version = doc.version;
    for (const raw of doc.models as CatalogModel[]) {
      const model: CatalogModel = {
        ...raw,
        providers: raw.providers.map((p) => {
          const provider = normalizeProviderId(p.provider);
          if (!provider) throw new Error(`catalog: unknown provider '${p.provider}' for ${raw.slug}`);
          return { provider, model: p.model };
        }),
      };
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

  all(): CatalogModel[] {
    return [...this.bySlug.values()];
  }
}
