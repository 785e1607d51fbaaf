import type { ChatRequest, ContentPart } from '@switchyard/types';
import { TOKENS_PER_MESSAGE } from './estimate';
import { countTextTokens } from './token-count';

/** Tokens counted per image: Anthropic's cost of an image at the largest size it keeps (about 1.15 megapixels, (w*h)/750). */
export const CLAUDE_TOKENS_PER_IMAGE = 1600;

/**
 * `POST /v1/messages/count_tokens` without calling a provider: an estimate, not Claude's count (Anthropic publishes
 * no tokenizer for its current models): every text, tool call, tool result and tool definition tokenized with
 * OpenAI's o200k_base encoding (countTextTokens), plus TOKENS_PER_MESSAGE per message and CLAUDE_TOKENS_PER_IMAGE per image.
 */
export function estimateInputTokens(request: ChatRequest): number {
  const texts: string[] = [];
  let images = 0;
  const countPart = (p: ContentPart) => {
    if (p.type === 'image_url') images++;
    else if (typeof (p as { text?: unknown }).text === 'string') texts.push((p as { text: string }).text);
  };
  for (const m of request.messages) {
    if (typeof m.content === 'string') texts.push(m.content);
    else for (const p of m.content ?? []) countPart(p);
    for (const call of m.tool_calls ?? []) texts.push(call.function.name, call.function.arguments);
  }
  for (const t of request.tools ?? []) texts.push(JSON.stringify(t.function));
  return countTextTokens(texts) + request.messages.length * TOKENS_PER_MESSAGE + images * CLAUDE_TOKENS_PER_IMAGE;
}
