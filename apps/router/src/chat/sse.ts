import type { ServerResponse } from 'node:http';
import type { ChatCompletionChunk } from '@switchyard/providers';
import type { GatewayError } from '@switchyard/types';

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

/** Writes without waiting: each upstream chunk reaches the socket at once (Node buffers under backpressure). */
export function writeChunk(res: ServerResponse, chunk: ChatCompletionChunk, includeUsage: boolean): void {
  const shaped = clientChunk(chunk, includeUsage);
  if (shaped) res.write(sseData(shaped));
}

/** A failure after the stream began: an explicit error event, then the connection closes without [DONE]. */
export function endWithError(res: ServerResponse, error: GatewayError): void {
  res.end(sseData(error.toBody()));
}
