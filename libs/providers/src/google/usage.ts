import type { Usage } from '@switchyard/types';
import { buildUsage, tokenCount } from '../shared/usage';
import type { GeminiUsageMetadata } from './types';

/** Gemini's promptTokenCount includes cached tokens; thoughts are billed as output and reported as reasoning. */
export function geminiUsage(u: GeminiUsageMetadata | undefined): Usage {
  const m = u ?? {};
  const prompt = tokenCount(m.promptTokenCount) + tokenCount(m.toolUsePromptTokenCount);
  const cached = tokenCount(m.cachedContentTokenCount);
  const thoughts = tokenCount(m.thoughtsTokenCount);
  return buildUsage({ uncachedInput: prompt - cached, cacheRead: cached, output: tokenCount(m.candidatesTokenCount) + thoughts, reasoning: thoughts });
}
