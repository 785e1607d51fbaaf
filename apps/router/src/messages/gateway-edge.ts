import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TenantDirectory } from '@switchyard/auth';
import { readJsonBody, writeJson, type RawHandler, type RawRouteContext } from '@switchyard/http';
import {
  Cancellation,
  callCost,
  classifyFailure,
  ClientAbortedError,
  dlpHeaders,
  parseRequestControls,
  toGatewayError,
  type BodyExtensions,
  type CompletionResult,
  type ExecutionMeta,
  type GatewayClient,
  type RequestLogger,
  type StreamResult,
} from '@switchyard/routing';
import { GatewayError, type ChatCompletionChunk, type ChatRequest } from '@switchyard/types';

export interface GatewayEdgeDeps {
  gateway: GatewayClient;
  directory: TenantDirectory;
  logger: RequestLogger;
  bodyLimitBytes: number;
}

/** How one client protocol enters the pipeline and how its answers are written. */
export interface EdgeProtocol {
  /** The endpoint path and the kind of call, for the request log. */
  path: string;
  requestType: string;
  /** Stage 2, parse: the body to the chat request the pipeline runs, and the gateway's own body fields. */
  parse(body: unknown): { request: ChatRequest; extensions: BodyExtensions };
  /** A completion as the protocol's JSON answer. */
  completionText(result: CompletionResult): string;
  /** The stream's encoder: its SSE text per batch of chunks, at the end, and for a failure after the first byte. */
  streamEncoder(request: ChatRequest, requestId: string): StreamEncoder;
}

export interface StreamEncoder {
  push(chunks: ChatCompletionChunk[]): string;
  /** After a complete stream (OpenAI: `[DONE]`; Messages: `message_delta` and `message_stop`). */
  finish(): string;
  /** The last event of a stream that failed, carrying the error the client would have got before the first byte. */
  fail(error: GatewayError): string;
}

/**
 * The edge of the request pipeline for an endpoint served as a raw route (RawRoutes has checked the key before
 * the body is read): resolves the project once, parses the body and the per-request controls once, hands typed
 * values to the GatewayClient, responds (JSON, or SSE through `streamEvents`) in the protocol's format, and ends
 * the request's log (the accounting stage: metrics, and the log record appended off the request path).
 * Failures propagate as GatewayErrors, which RawRoutes writes in the route family's error shape.
 */
export function gatewayEndpoint(deps: GatewayEdgeDeps, protocol: EdgeProtocol): RawHandler {
  const { gateway, directory, logger, bodyLimitBytes } = deps;
  return async (req: IncomingMessage, res: ServerResponse, { requestId, principal }: RawRouteContext) => {
    if (principal.kind !== 'key') return; // the 'key' policy admits keys only
    const body = await readJsonBody(req, bodyLimitBytes);
    const project = await directory.projectFor(principal, req.headers['x-gateway-project'] as string | undefined);
    const { request, extensions } = protocol.parse(body);
    const controls = parseRequestControls(req.headers, extensions);
    const log = logger.begin({ requestId, path: protocol.path, requestType: protocol.requestType }, principal, project, request, controls, body);
    const clientGone = new Cancellation();
    // A client that disconnects aborts the upstream request.
    res.once('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    try {
      const result = await gateway.execute(principal, project, request, controls, clientGone, log.attempts);
      if (result.meta.cache === 'HIT' && controls.cache.omitLog) log.omit();
      const gatewayHeaders = responseHeaders(requestId, result.meta, result.headers);
      log.addHeaders(gatewayHeaders);
      log.firstByte();
      if (result.kind === 'completion') {
        const cost = callCost(result.usage, controls);
        if (cost !== null) gatewayHeaders['x-gateway-cost'] = String(cost);
        const text = protocol.completionText(result);
        writeJson(res, 200, gatewayHeaders, text);
        return log.end({ statusCode: 200, errorCode: null, result, responseText: text });
      }
      const failure = await streamEvents(res, gatewayHeaders, log.watch(result), protocol.streamEncoder(request, requestId), clientGone);
      log.end({ statusCode: 200, errorCode: failure?.code ?? (clientGone.aborted ? 'client_disconnected' : null), result });
    } catch (err) {
      log.failed(err);
      if (err instanceof ClientAbortedError) return;
      // The error answer carries the log id too (a copy: an error object may be shared).
      if (err instanceof GatewayError && log.id) {
        const headers = { ...err.headers };
        log.addHeaders(headers);
        throw new GatewayError(err.status, err.type, err.code, err.message, { param: err.param, headers, cause: err });
      }
      throw err;
    }
  };
}

/** The gateway's response headers: admission's (`x-ratelimit-*`), then the call's own. */
function responseHeaders(requestId: string, meta: ExecutionMeta, admission?: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = {
    ...admission,
    'x-gateway-request-id': requestId,
    'x-gateway-provider': meta.provider,
    'x-gateway-model': meta.model,
    'x-gateway-step': String(meta.step),
    'x-gateway-attempts': String(meta.attempts),
  };
  if (meta.cache) headers['x-gateway-cache-status'] = headers['cf-aig-cache-status'] = meta.cache;
  return meta.dlp ? Object.assign(headers, dlpHeaders(meta.dlp)) : headers;
}

/**
 * Sends an upstream stream as SSE in the encoder's protocol: the held head, then what each upstream read brings,
 * each in one write and at once (never held back, so each upstream chunk reaches the client as it arrives); the
 * encoder's ending only after a complete stream, its failure event after a failure, nothing once the client
 * left. The head goes out with the response headers in the same write. Returns the error the stream ended
 * with (null: complete, or the client left).
 */
export async function streamEvents(
  res: ServerResponse,
  headers: Record<string, string>,
  result: StreamResult,
  encoder: StreamEncoder,
  clientGone: { readonly aborted: boolean },
): Promise<GatewayError | null> {
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // Headers and head in one write; with nothing in the head, the headers go now anyway.
  const head = encoder.push(result.head);
  if (head) res.write(head);
  else res.flushHeaders();
  try {
    for await (const batch of result.tail) {
      if (clientGone.aborted) break;
      const text = encoder.push(batch);
      if (text) res.write(text);
    }
    if (!clientGone.aborted) res.end(encoder.finish());
    return null;
  } catch (err) {
    // The tail throws the client's GatewayError already; anything else is mapped the same way.
    const error = err instanceof GatewayError ? err : toGatewayError(classifyFailure(err), result.meta.provider);
    res.end(encoder.fail(error));
    return error;
  }
}
