import type { ChatRequest } from '@switchyard/types';
import type { CustomCost } from '../cost-of';
import { costOf } from '../cost-of';
import type { ModelPrice } from '../model-price';
import { tokenUsageOf } from '../token-usage';

/**
 * Characters per token of the prompt estimate. No maintained tokenizer library is installed in this workspace,
 * so prompt tokens are estimated as characters / 4 (OpenAI's rule of thumb for English), rounded up; a
 * token limit or budget settles to the provider's reported usage after the call, so only the reservation uses it.
 */
export const CHARS_PER_TOKEN = 4;
/** Tokens counted per message for its role and framing (as OpenAI's cookbook counts them). */
const TOKENS_PER_MESSAGE = 4;
/** Image parts: a flat estimate (a low-detail image is 85 tokens, a high-detail one up to ~1,100). */
const TOKENS_PER_IMAGE = 765;
/** Output tokens reserved when neither the request nor the catalog says how many the call may produce. */
export const DEFAULT_OUTPUT_TOKENS = 4096;

/** The prompt's tokens, estimated: text of messages, tool definitions and the response format; images flat. */
export function estimatePromptTokens(request: ChatRequest): number {
  let chars = 0;
  let tokens = 0;
  for (const m of request.messages) {
    tokens += TOKENS_PER_MESSAGE;
    if (typeof m.content === 'string') chars += m.content.length;
    else if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (part.type === 'text' && typeof part.text === 'string') chars += part.text.length;
        else if (part.type === 'image_url') tokens += TOKENS_PER_IMAGE;
        else chars += JSON.stringify(part).length;
      }
    }
    if (m.tool_calls) chars += JSON.stringify(m.tool_calls).length;
  }
  if (request.tools) chars += JSON.stringify(request.tools).length;
  if (request.response_format && request.response_format.type === 'json_schema') chars += JSON.stringify(request.response_format).length;
  return tokens + Math.ceil(chars / CHARS_PER_TOKEN);
}

/** The most output tokens the call may produce: `max_completion_tokens`, `max_tokens`, the model's limit, or the default; times `n`. */
export function maxOutputTokens(request: ChatRequest, modelMaxOutput: number | undefined): number {
  const asked = request.max_completion_tokens ?? request.max_tokens ?? modelMaxOutput ?? DEFAULT_OUTPUT_TOKENS;
  return asked * Math.max(1, request.n ?? 1);
}

/**
 * The input tokens of a call to another endpoint (embeddings `input`, completions `prompt`, an image or speech
 * prompt), estimated from the request's text the same way (characters / 4); a multipart upload counts nothing.
 */
export function estimateEndpointInputTokens(body: object): number {
  const text = (body as { input?: unknown; prompt?: unknown }).input ?? (body as { prompt?: unknown }).prompt;
  if (text === undefined) return 0;
  return Math.ceil((typeof text === 'string' ? text.length : JSON.stringify(text).length) / CHARS_PER_TOKEN);
}

/** The most output tokens a call to another endpoint may produce: a legacy completion's `max_tokens` (default 16, as OpenAI's), else none. */
export function endpointOutputTokens(operation: string, body: object): number {
  if (operation !== 'completions') return 0;
  const { max_tokens: max, n } = body as { max_tokens?: number; n?: number };
  return (max ?? 16) * Math.max(1, n ?? 1);
}

/**
 * The call's worst-case cost in USD: the estimated prompt plus the output limit at the prices it will be charged
 * (its custom cost when it sends one, else the model's price); 0 when neither is known (an unpriced model).
 */
export function worstCaseCost(promptTokens: number, outputTokens: number, price: ModelPrice | null, custom: CustomCost | null): number {
  if (custom) return promptTokens * custom.perTokenIn + outputTokens * custom.perTokenOut;
  const usage = { ...tokenUsageOf(undefined), input: promptTokens, output: outputTokens };
  return costOf(usage, price) ?? 0;
}
