import type { Usage } from '@switchyard/types';

/** Token counts as providers report them, in disjoint buckets. */
export interface UsageParts {
  /** Input tokens that were neither read from nor written to a prompt cache. */
  uncachedInput: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** All output tokens, reasoning included. */
  output: number;
  reasoning?: number;
  /** Extra provider fields kept for cost (e.g. Anthropic's cache_creation breakdown). */
  extra?: Record<string, unknown>;
}

/**
 * The one place usage is normalized. `prompt_tokens` counts every input token (cache reads and writes
 * included, as OpenAI does); `prompt_tokens_details.cached_tokens` is the cache reads; cache writes are
 * kept as `cache_creation_input_tokens` (and reads as `cache_read_input_tokens`) so cost can price each bucket.
 */
export function buildUsage(p: UsageParts): Usage {
  const cacheRead = p.cacheRead ?? 0;
  const cacheWrite = p.cacheWrite ?? 0;
  const prompt = p.uncachedInput + cacheRead + cacheWrite;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: p.output,
    total_tokens: prompt + p.output,
    prompt_tokens_details: { cached_tokens: cacheRead },
    completion_tokens_details: { reasoning_tokens: p.reasoning ?? 0 },
  };
  if (cacheWrite || p.cacheWrite !== undefined) usage['cache_creation_input_tokens'] = cacheWrite;
  if (cacheRead || p.cacheRead !== undefined) usage['cache_read_input_tokens'] = cacheRead;
  if (p.extra) Object.assign(usage, p.extra);
  return usage;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
export { num as tokenCount };
