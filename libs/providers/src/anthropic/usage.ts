import type { Usage } from '@switchyard/types';
import { buildUsage, tokenCount } from '../shared/usage';
import type { AnthropicUsage } from './types';

/** Anthropic's `input_tokens` excludes cache reads and writes; they are added to prompt_tokens here. */
export function anthropicUsage(u: AnthropicUsage | undefined): Usage {
  const usage = u ?? {};
  return buildUsage({
    uncachedInput: tokenCount(usage.input_tokens),
    cacheRead: tokenCount(usage.cache_read_input_tokens),
    cacheWrite: tokenCount(usage.cache_creation_input_tokens),
    output: tokenCount(usage.output_tokens),
    extra: usage.cache_creation ? { cache_creation: usage.cache_creation } : undefined,
  });
}
