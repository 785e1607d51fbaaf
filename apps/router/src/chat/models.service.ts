import { Injectable } from '@nestjs/common';
import { TenantDirectory } from '@switchyard/auth';
import { CHAT_ONLY, defaultConnection, ModelCatalog, type CatalogModel } from '@switchyard/routing';

/** One provider connection that serves a model, and the model's name there. */
export interface ModelProvider {
  provider: string;
  connection: string;
  model: string;
}

export interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  providers: ModelProvider[];
  context_window?: number;
  max_output_tokens?: number;
  capabilities?: string[];
  /** The endpoints the model serves (`chat.completions`, `embeddings`, `completions`, `images.generations`, `audio.speech`, `audio.transcriptions`). */
  endpoints: string[];
}

/** What an organization can route to: catalog slugs it has a provider for, and `@connection/model` forms. */
@Injectable()
export class ModelsService {
  constructor(
    private readonly directory: TenantDirectory,
    private readonly catalog: ModelCatalog,
  ) {}

  /** The catalog models the organization has a provider for, each with the connections that serve it. */
  async routable(organizationId: string): Promise<{ model: CatalogModel; providers: ModelProvider[] }[]> {
    const connections = await this.directory.connectionsOf(organizationId);
    return this.catalog.all().flatMap((model) => {
      const providers = model.providers.flatMap((p) => {
        const c = defaultConnection(connections, p.provider);
        return c ? [{ provider: p.provider, connection: c.slug, model: p.model }] : [];
      });
      return providers.length ? [{ model, providers }] : [];
    });
  }

  async list(organizationId: string): Promise<ModelEntry[]> {
    const created = Math.floor(Date.parse(`${this.catalog.version}T00:00:00Z`) / 1000);
    const out: ModelEntry[] = [];
    for (const { model, providers } of await this.routable(organizationId)) {
      const endpoints = model.endpoints ?? CHAT_ONLY;
      out.push({
        id: model.slug,
        object: 'model',
        created,
        owned_by: providers[0]!.provider,
        providers,
        context_window: model.context_window,
        max_output_tokens: model.max_output_tokens,
        capabilities: model.capabilities,
        endpoints,
      });
      for (const p of providers) {
        out.push({ id: `${p.provider}/${model.slug}`, object: 'model', created, owned_by: p.provider, providers: [p], endpoints });
        out.push({ id: `@${p.connection}/${model.slug}`, object: 'model', created, owned_by: p.provider, providers: [p], endpoints });
      }
    }
    return out;
  }
}
