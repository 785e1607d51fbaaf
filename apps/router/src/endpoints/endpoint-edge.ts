import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RawHandler, RawRouteContext } from '@switchyard/http';
import { loggedBody, parseRequestControls, refuseCacheControls, type ParsedEndpointRequest } from '@switchyard/routing';
import { ENDPOINT_PATHS, ENDPOINT_REQUEST_TYPES, type EndpointOperation } from '@switchyard/types';
import { sseData } from '../chat/sse';
import { writePassedThrough } from '../edge/pass-through';
import { GatewayEdge, type EdgeDeps } from '../edge/gateway-edge';

/** How one endpoint reads its request: the body (JSON or multipart) parsed into the pipeline's request. */
export interface EndpointSpec {
  operation: EndpointOperation;
  /** Reads and parses the body; `body` is the request as received, for the log record; `dispose` frees what reading it kept (a spooled upload) once the call is over. */
  read(req: IncomingMessage): Promise<{ parsed: ParsedEndpointRequest; body: unknown; dispose?: () => Promise<void> }>;
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
    let dispose: (() => Promise<void>) | undefined;
    try {
      await handle(req, res, requestId, principal, origin, (read) => (dispose = read.dispose));
    } finally {
      await dispose?.();
    }
  };

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    principal: RawRouteContext['principal'] & { kind: 'key' },
    origin: { requestId: string; path: string; requestType: string },
    onRead: (read: Awaited<ReturnType<EndpointSpec['read']>>) => void,
  ): Promise<void> {
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
      () => spec.read(req).then((read) => (onRead(read), read)),
    );
    const { request, controls, body } = accepted.parsed;
    const call = { origin, principal, project: accepted.project, request, controls, body: loggedBody(request, body) };
    await edge.executeEndpoint(res, call, (result, headers, log, clientGone) => writePassedThrough(res, result, headers, log, clientGone, (error) => sseData(error.toBody())));
  }
}
