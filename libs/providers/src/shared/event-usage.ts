import type { Usage } from '@switchyard/types';
import { anthropicUsage } from '../anthropic/usage';
import type { AnthropicUsage } from '../anthropic/types';
import type { SseUsageReader } from '../types';
import { buildUsage, tokenCount } from './usage';

/**
 * The usage of passed-through answers, read (never changed) from the provider's own format: OpenAI chat and
 * completions events, Responses objects and events, Anthropic Messages and their events.
 */

const parsed = (data: string): unknown => {
  try {
    return JSON.parse(data);
  } catch {
    return undefined; // not JSON (e.g. [DONE]): nothing to read
  }
};

/** An OpenAI chat/completions event carrying `usage` (`data: {…,"usage":{…}}`). */
export const openAIEventUsage: SseUsageReader = ({ data }) => {
  if (!data.includes('"usage"')) return null;
  const usage = (parsed(data) as { usage?: Usage | null } | undefined)?.usage;
  return usage && typeof usage.prompt_tokens === 'number' ? usage : null;
};

interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number };
  output_tokens_details?: { reasoning_tokens?: number };
}

/** A Response object's `usage` in chat terms (cached reads apart, reasoning inside the output); null when it has none. */
export function responsesUsage(response: unknown): Usage | null {
  const u = (response as { usage?: ResponsesUsage | null } | null | undefined)?.usage;
  if (!u || typeof u.input_tokens !== 'number') return null;
  const cached = tokenCount(u.input_tokens_details?.cached_tokens);
  return buildUsage({
    uncachedInput: u.input_tokens - cached,
    cacheRead: cached,
    output: tokenCount(u.output_tokens),
    reasoning: tokenCount(u.output_tokens_details?.reasoning_tokens),
  });
}

/** The terminal Responses events (`response.completed`, `.incomplete`, `.failed`) carry the whole Response with its usage. */
export const responsesEventUsage: SseUsageReader = ({ event, data }) => {
  if (event !== 'response.completed' && event !== 'response.incomplete' && event !== 'response.failed') return null;
  return responsesUsage((parsed(data) as { response?: unknown } | undefined)?.response);
};

/** A Message's `usage` (Anthropic, Vertex and Bedrock Claude) in chat terms; null when it has none. */
export function messageUsage(message: unknown): Usage | null {
  const u = (message as { usage?: AnthropicUsage } | null | undefined)?.usage;
  return u && typeof u.input_tokens === 'number' ? anthropicUsage(u) : null;
}

/**
 * Anthropic's stream reports the input (and cache) tokens in `message_start` and the cumulative output in each
 * `message_delta`: the usage is their merge, recorded at every `message_delta`.
 */
export function anthropicEventUsage(): SseUsageReader {
  let usage: AnthropicUsage = {};
  return ({ data }) => {
    const e = parsed(data) as { type?: string; message?: { usage?: AnthropicUsage }; usage?: AnthropicUsage } | undefined;
    if (e?.type === 'message_start') usage = { ...e.message?.usage };
    else if (e?.type === 'message_delta' && e.usage) {
      for (const [k, v] of Object.entries(e.usage)) if (v !== null && v !== undefined) (usage as Record<string, unknown>)[k] = v;
      return anthropicUsage(usage);
    }
    return null;
  };
}
