import type { CallContext, ChatRequest, Usage } from '@switchyard/types';
import type { ChatCaller, ServedCompletion } from './chat-caller';

/** Prices of one model in USD per million tokens (the shape of the gateway's model catalog). */
export interface ModelPrice {
  input_per_mtok: number;
  output_per_mtok: number;
  cached_input_per_mtok: number | null;
}

/** Looks a price up by the provider that answered and its own model id; bound by the worker to the catalog. */
export interface ModelPricing {
  priceOf(provider: string, upstreamModel: string): ModelPrice | undefined;
}

/** Cost in USD of one completion's usage; cached prompt tokens at the cached rate when the model has one. */
export function costOf(usage: Pick<Usage, 'prompt_tokens' | 'completion_tokens' | 'prompt_tokens_details'> | undefined, price: ModelPrice): number {
  const prompt = usage?.prompt_tokens ?? 0;
  const cached = Math.min(prompt, usage?.prompt_tokens_details?.cached_tokens ?? 0);
  const cachedRate = price.cached_input_per_mtok ?? price.input_per_mtok;
  const cost = ((prompt - cached) * price.input_per_mtok + cached * cachedRate + (usage?.completion_tokens ?? 0) * price.output_per_mtok) / 1e6;
  return Math.round(cost * 1e10) / 1e10;
}

/**
 * A ChatCaller that fills `usage.cost` from the price of the model that answered (`served`), when the
 * answer carries no cost of its own. Unknown models (self-hosted, not in the catalog) stay at 0.
 */
export class PricedChatCaller implements ChatCaller {
  constructor(
    private readonly inner: ChatCaller,
    private readonly pricing: ModelPricing,
  ) {}

  async chat(ctx: CallContext, body: ChatRequest, opts?: { signal?: AbortSignal }): Promise<ServedCompletion> {
    const res = await this.inner.chat(ctx, body, opts);
    if (res.usage?.cost !== undefined || !res.served) return res;
    const price = this.pricing.priceOf(res.served.provider, res.served.model);
    return price && res.usage ? { ...res, usage: { ...res.usage, cost: costOf(res.usage, price) } } : res;
  }
}
