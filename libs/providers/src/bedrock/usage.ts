import type { Usage } from '@switchyard/types';
import { buildUsage, tokenCount } from '../shared/usage';
import type { BedrockUsage } from './types';

/** Converse usage: inputTokens excludes cache reads and writes (cacheReadInputTokens, cacheWriteInputTokens). */
export function bedrockUsage(u: BedrockUsage | undefined): Usage {
  const m = u ?? {};
  return buildUsage({
    uncachedInput: tokenCount(m.inputTokens),
    cacheRead: tokenCount(m.cacheReadInputTokens),
    cacheWrite: tokenCount(m.cacheWriteInputTokens),
    output: tokenCount(m.outputTokens),
  });
}
