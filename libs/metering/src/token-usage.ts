/**
 * The usage object of an OpenAI-shaped answer, as far as pricing reads it (the gateway's normalized usage:
 * `prompt_tokens` counts every input token, cache reads and writes included; `cached_tokens` are the cache
 * reads; cache writes are `cache_creation_input_tokens`; `completion_tokens` include reasoning).
 */
export interface ReportedUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  cache_creation_input_tokens?: unknown;
  /** A cost the provider itself reported (e.g. OpenRouter), in USD. */
  cost?: unknown;
}

/** Token counts of one call in disjoint buckets: every token is in exactly one, so each is priced once. */
export interface TokenUsage {
  /** Input tokens neither read from nor written to a prompt cache. */
  input: number;
  cacheRead: number;
  cacheWrite: number;
  /** Output tokens spent on reasoning (thinking). */
  reasoning: number;
  /** Output tokens other than reasoning. */
  output: number;
}

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/** Splits a reported usage into disjoint buckets (no usage: all zero). */
export function tokenUsageOf(usage: ReportedUsage | null | undefined): TokenUsage {
  const prompt = count(usage?.prompt_tokens);
  const cacheRead = Math.min(prompt, count(usage?.prompt_tokens_details?.cached_tokens));
  const cacheWrite = Math.min(prompt - cacheRead, count(usage?.cache_creation_input_tokens));
  const completion = count(usage?.completion_tokens);
  const reasoning = Math.min(completion, count(usage?.completion_tokens_details?.reasoning_tokens));
  return { input: prompt - cacheRead - cacheWrite, cacheRead, cacheWrite, reasoning, output: completion - reasoning };
}

/** The cost a provider reported itself in the usage object, when it did. */
export function reportedCost(usage: ReportedUsage | null | undefined): number | undefined {
  const cost = usage?.cost;
  return typeof cost === 'number' && Number.isFinite(cost) && cost >= 0 ? cost : undefined;
}
