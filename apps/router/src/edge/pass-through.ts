import type { ServerResponse } from 'node:http';
import { writeJson } from '@switchyard/http';
import type { NativeProtocol } from '@switchyard/providers';
import { classifyFailure, toGatewayError, type CallLog, type EndpointResult, type EndpointRawResult } from '@switchyard/routing';
import { GatewayError } from '@switchyard/types';

/**
 * Sends an upstream body as it arrives (audio, transcript text, a pass-through SSE stream), honouring the
 * client's back-pressure. A failure after the first byte ends an event stream with an error event (as chat
 * does) and cuts any other body (its length cannot be honoured). `onEnd` is told how it ended just before the last write.
 */
async function passThrough(
  res: ServerResponse,
  headers: Record<string, string>,
  result: EndpointRawResult,
  clientGone: { readonly aborted: boolean },
  /** The protocol's last event for a failure after the first byte of an event stream. */
  errorEvent: (error: GatewayError) => string,
  onEnd: (failure: GatewayError | null) => void,
): Promise<void> {
  res.writeHead(200, { ...headers, 'content-type': result.contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  try {
    for await (const chunk of result.body) {
      if (clientGone.aborted) break;
      if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    }
  } catch (err) {
    const error = err instanceof GatewayError ? err : toGatewayError(classifyFailure(err), result.meta.provider);
    onEnd(error);
    if (result.contentType.startsWith('text/event-stream')) res.end(errorEvent(error));
    else res.destroy();
    return;
  }
  onEnd(null);
  if (!clientGone.aborted) res.end();
}

/**
 * Writes an answer passed through from the provider (an endpoint's, or a native Responses / Messages call's): JSON
 * as it came (the log ended before the write), or the body as it arrives.
 */
export async function writePassedThrough(
  res: ServerResponse,
  result: EndpointResult,
  headers: Record<string, string>,
  log: CallLog,
  clientGone: { readonly aborted: boolean },
  errorEvent: (error: GatewayError) => string,
  /** A client protocol's stream (Messages, Responses): its answer is assembled for the record's response body. */
  protocol?: NativeProtocol,
): Promise<void> {
  if (result.kind === 'raw' && protocol) result = log.watchRaw(result, protocol);
  if (result.kind === 'json') {
    const text = JSON.stringify(result.body);
    // The record before the answer: its XADD is written before the client can see the answer.
    log.end({ statusCode: 200, errorCode: null, result, responseText: text });
    return writeJson(res, 200, headers, text);
  }
  await passThrough(res, headers, result, clientGone, errorEvent, (failure) =>
    log.end({ statusCode: 200, errorCode: failure?.code ?? (clientGone.aborted ? 'client_disconnected' : null), result }),
  );
}
