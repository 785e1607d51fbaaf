import { type ChatCaller, ChatCallError, type ModelPricing, type ServedCompletion } from '@switchyard/documents';
import { Cancellation, type GatewayClient, type ModelCatalog } from '@switchyard/routing';
import { GatewayError, type CallContext, type ChatRequest, type ProviderId } from '@switchyard/types';

/**
 * Model calls of the worker go through the gateway in-process: resolved, retried and failed over like
 * any router request, with the tenant's own connections. Gateway errors become ChatCallErrors whose
 * `retryable` tells the page job whether another attempt can help; the answer says which provider and
 * upstream model served it (`served`), so the documents lib can price it.
 */
export class GatewayChatCaller implements ChatCaller {
  constructor(private readonly gateway: GatewayClient) {}

  async chat(ctx: CallContext, body: ChatRequest, opts: { signal?: AbortSignal } = {}): Promise<ServedCompletion> {
    try {
      const result = await Cancellation.following(opts.signal, (cancel) => this.gateway.execute(ctx, { ...body, stream: false }, {}, cancel));
      if (result.kind !== 'completion') throw new Error('unexpected stream');
      return { ...result.completion, served: { provider: result.meta.provider, model: result.meta.model } };
    } catch (err) {
      if (err instanceof GatewayError) throw new ChatCallError(err.message, err.status, err.status === 429 || err.status >= 500);
      throw err;
    }
  }
}

/** Prices from the gateway's model catalog, by the provider's own model id. */
export const catalogPricing = (catalog: ModelCatalog): ModelPricing => ({
  priceOf: (provider, upstreamModel) => catalog.forUpstream(provider as ProviderId, upstreamModel)?.pricing,
});
