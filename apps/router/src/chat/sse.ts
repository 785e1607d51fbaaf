import type { ServerResponse } from 'node:http';
import { classifyFailure, toGatewayError, type StreamResult } from '@switchyard/routing';
import { GatewayError, type ChatCompletionChunk } from '@switchyard/types';

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
 * A failure after the stream began: an explicit error event carrying what `toGatewayError` made of it (the
 * same error a failure before the first byte would have answered), then the connection closes without [DONE].
 */
export function endWithError(res: ServerResponse, error: GatewayError): void {
  res.end(sseData(error.toBody()));
}

/**
 * Sends an upstream stream as OpenAI SSE: the held head, then what each upstream read brings, each in one
 * write and at once (never held back, so each upstream chunk reaches the client as it arrives); `[DONE]`
 * only after a complete stream, an error event (and no `[DONE]`) after a failure, nothing once the client
 * left. The head goes out with the response headers in the same write. `onEnd` is told how the stream ended
 * (the error it ended with; null: complete, or the client left) just before the last write.
 */
export async function streamToClient(
  res: ServerResponse,
  headers: Record<string, string>,
  result: StreamResult,
  includeUsage: boolean,
  clientGone: { readonly aborted: boolean },
  onEnd: (failure: GatewayError | null) => void,
): Promise<void> {
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // Headers and head in one write; with nothing in the head, the headers go now anyway.
  const head = sseText(result.head, includeUsage);
  if (head) res.write(head);
  else res.flushHeaders();
  try {
    for await (const batch of result.tail) {
      if (clientGone.aborted) break;
      const text = sseText(batch, includeUsage);
      if (text) res.write(text);
    }
  } catch (err) {
    // The tail throws the client's GatewayError already; anything else is mapped the same way.
    const error = err instanceof GatewayError ? err : toGatewayError(classifyFailure(err), result.meta.provider);
    onEnd(error);
    return endWithError(res, error);
  }
  onEnd(null);
  if (!clientGone.aborted) res.end(SSE_DONE);
}
