import type { ChatRequest } from '@switchyard/types';
import type { CustomCost } from '../cost-of';
import { costOf } from '../cost-of';
import type { ModelPrice } from '../model-price';
import { tokenUsageOf } from '../token-usage';
import { countTextTokens } from './token-count';

/** Tokens counted per message for its role and framing (as OpenAI's cookbook counts them). */
export const TOKENS_PER_MESSAGE = 4;
/** Image parts: a flat estimate (a low-detail image is 85 tokens, a high-detail one up to ~1,100). */
const TOKENS_PER_IMAGE = 765;
/** Output tokens reserved when neither the request nor the catalog says how many the call may produce. */
export const DEFAULT_OUTPUT_TOKENS = 4096;

/**
 * The prompt's tokens, estimated with the o200k_base tokenizer (countTextTokens): text of messages, tool calls,
 * tool definitions and the response format's schema; images flat; per-message framing as OpenAI counts it.
 * It runs only when a token limit or budget applies; the reservation settles to the provider's usage after.
 */
export function estimatePromptTokens(request: ChatRequest): number {
  const texts: string[] = [];
  let tokens = 0;
  for (const m of request.messages) {
    tokens += TOKENS_PER_MESSAGE;
    if (typeof m.content === 'string') texts.push(m.content);
    else if (Array.isArray(m.content)) {
      for (const part of m.content) {
        if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
        else if (part.type === 'image_url') tokens += TOKENS_PER_IMAGE;
        else texts.push(JSON.stringify(part));
      }
    }
    if (m.tool_calls) texts.push(JSON.stringify(m.tool_calls));
  }
  if (request.tools) texts.push(JSON.stringify(request.tools));
  if (request.response_format && request.response_format.type === 'json_schema') texts.push(JSON.stringify(request.response_format));
  return tokens + countTextTokens(texts);
}

/** The most output tokens the call may produce: `max_completion_tokens`, `max_tokens`, the model's limit, or the default; times `n`. */
export function maxOutputTokens(request: ChatRequest, modelMaxOutput: number | undefined): number {
  const asked = request.max_completion_tokens ?? request.max_tokens ?? modelMaxOutput ?? DEFAULT_OUTPUT_TOKENS;
  return asked * Math.max(1, request.n ?? 1);
}

/**
 * The input tokens of a call to another endpoint (embeddings `input`, completions `prompt`, an image or speech
 * prompt), counted with the same tokenizer (an array input by its JSON text); a multipart upload counts nothing.
 */
export function estimateEndpointInputTokens(body: object): number {
  const b = body as { input?: unknown; prompt?: unknown; messages?: unknown; system?: unknown };
  // A passed-through Messages body has `messages` (and `system`); Responses `input`; completions `prompt`.
  const text = b.input ?? b.prompt ?? (b.messages === undefined ? undefined : [b.system ?? '', b.messages]);
  if (text === undefined) return 0;
  return countTextTokens([typeof text === 'string' ? text : JSON.stringify(text)]);
}

/** The most output tokens a call to another endpoint may produce: a legacy completion's `max_tokens` (default 16, as OpenAI's), a passed-through Messages or Responses body's limit, else none. */
export function endpointOutputTokens(operation: string, body: object): number {
  // Passed-through Messages and Responses bodies: their output limit.
  if (operation === 'messages') return (body as { max_tokens?: number }).max_tokens ?? 0;
  if (operation === 'responses') return (body as { max_output_tokens?: number }).max_output_tokens ?? 0;
  // A provider's own body: its output limit under the provider's name for it.
  if (operation === 'provider') {
    const b = body as { max_tokens?: number; max_completion_tokens?: number; max_output_tokens?: number; generationConfig?: { maxOutputTokens?: number } };
    const max = b.max_tokens ?? b.max_completion_tokens ?? b.max_output_tokens ?? b.generationConfig?.maxOutputTokens;
    return typeof max === 'number' ? max : 0;
  }
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
