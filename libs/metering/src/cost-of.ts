import { rateAt, type ModelPrice } from './model-price';
import type { TokenUsage } from './token-usage';

/**
 * Cost in USD of one call: each bucket of its usage at its own rate. `null` when the model has no price
 * (self-hosted, unknown): an unpriced call is never given a made-up number.
 */
export function costOf(usage: TokenUsage, price: ModelPrice | null | undefined): number | null {
  if (!price) return null;
  const inputTokens = usage.input + usage.cacheRead + usage.cacheWrite;
  const rate = (r: ModelPrice['input']) => rateAt(r, inputTokens);
  const micro =
    usage.input * rate(price.input) +
    usage.cacheRead * rate(price.cacheRead ?? price.input) +
    usage.cacheWrite * rate(price.cacheWrite ?? price.input) +
    usage.reasoning * rate(price.reasoning ?? price.output) +
    usage.output * rate(price.output);
  return Math.round((micro / 1e6) * 1e10) / 1e10;
}

/** A price given by the request (`x-gateway-custom-cost` / `cf-aig-custom-cost`): USD per input and per output token. */
export interface CustomCost {
  perTokenIn: number;
  perTokenOut: number;
}

/** Cost in USD at a custom price: every input bucket (cache reads and writes included) at `perTokenIn`, every output bucket (reasoning included) at `perTokenOut`. */
export function customCostOf(usage: TokenUsage, price: CustomCost): number {
  const usd = (usage.input + usage.cacheRead + usage.cacheWrite) * price.perTokenIn + (usage.output + usage.reasoning) * price.perTokenOut;
  return Math.round(usd * 1e10) / 1e10;
}
