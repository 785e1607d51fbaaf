import type { ChatRequest, ContentPart } from '@switchyard/types';

/** Characters per token of the estimate (English prose and code average about 4 with Claude's and OpenAI's tokenizers). */
export const CHARS_PER_TOKEN = 4;
/** Tokens counted per image: Anthropic's cost of an image at the largest size it keeps (about 1.15 megapixels, (w*h)/750). */
export const TOKENS_PER_IMAGE = 1600;
/** Tokens of framing counted per message (role and separators). */
export const TOKENS_PER_MESSAGE = 4;

/**
 * `POST /v1/messages/count_tokens` without calling a provider: an estimate, not a tokenizer's count (no tokenizer
 * for Claude is published, and none is bundled): the characters of every text, tool call, tool result and tool
 * definition over CHARS_PER_TOKEN, plus TOKENS_PER_MESSAGE per message and TOKENS_PER_IMAGE per image.
 */
export function estimateInputTokens(request: ChatRequest): number {
  let chars = 0;
  let images = 0;
  const countPart = (p: ContentPart) => {
    if (p.type === 'image_url') images++;
    else if (typeof (p as { text?: unknown }).text === 'string') chars += (p as { text: string }).text.length;
  };
  for (const m of request.messages) {
    if (typeof m.content === 'string') chars += m.content.length;
    else for (const p of m.content ?? []) countPart(p);
    for (const call of m.tool_calls ?? []) chars += call.function.name.length + call.function.arguments.length;
  }
  for (const t of request.tools ?? []) chars += JSON.stringify(t.function).length;
  return Math.ceil(chars / CHARS_PER_TOKEN) + request.messages.length * TOKENS_PER_MESSAGE + images * TOKENS_PER_IMAGE;
}
