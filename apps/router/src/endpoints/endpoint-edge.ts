import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeJson, type RawHandler, type RawRouteContext } from '@switchyard/http';
import { classifyFailure, loggedBody, parseRequestControls, refuseCacheControls, toGatewayError, type EndpointRawResult, type ParsedEndpointRequest } from '@switchyard/routing';
import { ENDPOINT_PATHS, ENDPOINT_REQUEST_TYPES, GatewayError, type EndpointOperation } from '@switchyard/types';
import { sseData } from '../chat/sse';
import { GatewayEdge, type EdgeDeps } from '../edge/gateway-edge';

/** How one endpoint reads its request: the body (JSON or multipart) parsed into the pipeline's request. */
export interface EndpointSpec {
  operation: EndpointOperation;
  /** Reads and parses the body; `body` is the request as received, for the log record. */
  read(req: IncomingMessage): Promise<{ parsed: ParsedEndpointRequest; body: unknown }>;
}

/**
 * The edge of the endpoints other than chat (`/v1/embeddings`, `/v1/completions`, `/v1/images/generations`,
 * `/v1/audio/speech`, `/v1/audio/transcriptions`): the shared `GatewayEdge` for any operation. RawRoutes has
 * checked the key; the handler parses once, resolves the project, runs `GatewayClient.executeEndpoint` (the same
 * resolve, admission, retries, fallbacks and accounting as chat), writes the JSON answer or passes the upstream
 * bytes through, and ends the request's log.
 */
export function endpointHandler(deps: EdgeDeps, spec: EndpointSpec): RawHandler {
  const edge = new GatewayEdge(deps);
  const path = { path: ENDPOINT_PATHS[spec.operation], requestType: ENDPOINT_REQUEST_TYPES[spec.operation] };
  return async (req: IncomingMessage, res: ServerResponse, { requestId, principal }: RawRouteContext) => {
    if (principal.kind !== 'key') return; // the 'key' policy admits keys only
    const origin = { requestId, ...path };
    const accepted = await edge.accept(
      req,
      principal,
      origin,
      (got) => {
        const { parsed, body } = got as Awaited<ReturnType<EndpointSpec['read']>>;
        const controls = parseRequestControls(req.headers, parsed.extensions);
        refuseCacheControls(spec.operation, controls.cache);
        return { request: parsed.request, controls, body };
      },
      () => spec.read(req),
    );
    const { request, controls, body } = accepted.parsed;
    const call = { origin, principal, project: accepted.project, request, controls, body: loggedBody(request, body) };
    await edge.executeEndpoint(res, call, async (result, headers, log, clientGone) => {
      if (result.kind === 'json') {
        const text = JSON.stringify(result.body);
        // The record before the answer: its XADD is written before the client can see the answer.
        log.end({ statusCode: 200, errorCode: null, result, responseText: text });
        return writeJson(res, 200, headers, text);
      }
      await passThrough(res, headers, result, clientGone, (failure) =>
        log.end({ statusCode: 200, errorCode: failure?.code ?? (clientGone.aborted ? 'client_disconnected' : null), result }),
      );
    });
  };
}

/**
 * Sends an upstream body as it arrives (audio, transcript text, a pass-through SSE stream), honouring the
 * client's back-pressure. A failure after the first byte ends an event stream with an error event (as chat
 * does) and cuts any other body (its length cannot be honoured). `onEnd` is told how it ended just before the last write.
 */
export async function passThrough(
  res: ServerResponse,
  headers: Record<string, string>,
  result: EndpointRawResult,
  clientGone: { readonly aborted: boolean },
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
    if (result.contentType.startsWith('text/event-stream')) res.end(sseData(error.toBody()));
    else res.destroy();
    return;
  }
  onEnd(null);
  if (!clientGone.aborted) res.end();
}
