import type { ServerResponse } from 'node:http';
import { ProviderStreamError, type ChatCompletionChunk } from '@switchyard/providers';
import type { ExecutionResult } from '@switchyard/routing';
import { GatewayError } from '@switchyard/types';

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

/**
 * Sends an upstream stream as OpenAI SSE: the held head, then each chunk as it arrives; `[DONE]` only
 * after a complete stream, an error event (and no `[DONE]`) after a failure, nothing once the client left.
 */
export async function streamToClient(
  res: ServerResponse,
  headers: Record<string, string>,
  result: Extract<ExecutionResult, { kind: 'stream' }> & { includeUsage: boolean },
  clientGone: { readonly aborted: boolean },
): Promise<void> {
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  for (const chunk of result.head) writeChunk(res, chunk, result.includeUsage);
  try {
    for await (const chunk of result.tail) {
      if (clientGone.aborted) break;
      writeChunk(res, chunk, result.includeUsage);
    }
    if (!clientGone.aborted) res.end(SSE_DONE);
  } catch (err) {
    const status = err instanceof ProviderStreamError ? err.status : 502;
    const message = err instanceof Error ? err.message : 'The upstream stream failed.';
    endWithError(
      res,
      new GatewayError(status === 429 ? 429 : 502, 'api_error', 'upstream_stream_error', `The ${result.meta.provider} stream failed after it had started: ${message}`),
    );
  }
}
