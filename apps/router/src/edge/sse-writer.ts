import type { ServerResponse } from 'node:http';
import { classifyFailure, toGatewayError, type StreamResult } from '@switchyard/routing';
import { GatewayError, type ChatCompletionChunk } from '@switchyard/types';

/** How an endpoint's protocol writes a chat stream as its SSE text ('' for nothing to send). */
export interface SseEncoder {
  /** The held head: the stream's opening events and its first content. */
  head(chunks: ChatCompletionChunk[]): string;
  /** One upstream read's chunks. */
  batch(chunks: ChatCompletionChunk[]): string;
  /** What ends a complete stream (chat's `[DONE]`, Responses' `response.completed`); may finish work first. */
  end(): string | Promise<string>;
  /** What ends a stream that failed after it began (the client's error, mapped by `toGatewayError`). */
  error(error: GatewayError): string;
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/**
 * Sends an upstream stream as SSE: the held head, then what each upstream read brings, each in one write and
 * at once (never held back, so each upstream chunk reaches the client as it arrives); the encoder's end only
 * after a complete stream, its error event (and nothing after it) after a failure, nothing once the client
 * left. The head goes out with the response headers in the same write. `onEnd` is told how the stream ended
 * (the error it ended with; null: complete, or the client left) just before the last write, so that the request's
 * log record is appended before it (the edge holds that write until the record is written). Returns the error the stream ended with.
 */
export async function writeSse(
  res: ServerResponse,
  headers: Record<string, string>,
  result: StreamResult,
  encoder: SseEncoder,
  clientGone: { readonly aborted: boolean },
  onEnd: (failure: GatewayError | null) => void,
): Promise<GatewayError | null> {
  res.writeHead(200, { ...headers, ...SSE_HEADERS });
  // Headers and head in one write; with nothing in the head, the headers go now anyway.
  const head = encoder.head(result.head);
  if (head) res.write(head);
  else res.flushHeaders();
  try {
    for await (const batch of result.tail) {
      if (clientGone.aborted) break;
      const text = encoder.batch(batch);
      if (text) res.write(text);
    }
  } catch (err) {
    // The tail throws the client's GatewayError already; anything else is mapped the same way.
    const error = err instanceof GatewayError ? err : toGatewayError(classifyFailure(err), result.meta.provider);
    onEnd(error);
    res.end(encoder.error(error));
    return error;
  }
  if (clientGone.aborted) {
    onEnd(null);
    return null;
  }
  const last = await encoder.end();
  onEnd(null);
  res.end(last);
  return null;
}
