import type { ChatCompletionChunk } from '@switchyard/types';
import type { SseEncoder } from '../edge/sse-writer';

/** Shapes a chunk for the client: usage only when the client asked for it (it is always requested upstream). */
export function clientChunk(chunk: ChatCompletionChunk, includeUsage: boolean): ChatCompletionChunk | null {
  if (includeUsage) return chunk;
  if (chunk.choices.length === 0) return null;
  if ('usage' in chunk) {
    const { usage: _usage, ...rest } = chunk;
    return rest as ChatCompletionChunk;
  }
  return chunk;
}

export const sseData = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
export const SSE_DONE = 'data: [DONE]\n\n';

/** The SSE text of a batch of chunks as the client should see them ('' when none is for the client). */
export function sseText(chunks: ChatCompletionChunk[], includeUsage: boolean): string {
  let out = '';
  for (const chunk of chunks) {
    const shaped = clientChunk(chunk, includeUsage);
    if (shaped) out += sseData(shaped);
  }
  return out;
}

/**
 * Chunks as OpenAI SSE (written by `writeSse`): `[DONE]` only after a complete stream; after a failure, an
 * explicit error event carrying what `toGatewayError` made of it (the same error a failure before the first
 * byte would have answered), then the connection closes without `[DONE]`.
 */
export function openAIStreamEncoder(includeUsage: boolean): SseEncoder {
  const text = (chunks: ChatCompletionChunk[]) => sseText(chunks, includeUsage);
  return { head: text, batch: text, end: () => SSE_DONE, error: (error) => sseData(error.toBody()) };
}
