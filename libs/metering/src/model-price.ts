/** USD per million tokens: one rate, or a base rate with tiers by the call's input tokens (above `start`). */
export type Rate = number | { base: number; tiers: readonly { start: number; price: number }[] };

/**
 * The price of one model at one provider, per bucket of TokenUsage. Cache reads and writes without a rate
 * of their own cost the input rate, reasoning without one the output rate (as the providers bill them).
 */
export interface ModelPrice {
  input: Rate;
  output: Rate;
  cacheRead?: Rate;
  cacheWrite?: Rate;
  reasoning?: Rate;
}

/** The rate that applies to a call with `inputTokens` input tokens in all. */
export function rateAt(rate: Rate, inputTokens: number): number {
  if (typeof rate === 'number') return rate;
  let price = rate.base;
  for (const tier of rate.tiers) if (inputTokens > tier.start) price = tier.price;
  return price;
}
