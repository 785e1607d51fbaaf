import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TenantDirectory } from '@switchyard/auth';
import { readJsonBody, writeJson, type RawHandler, type RawRouteContext } from '@switchyard/http';
import { Cancellation, ClientAbortedError, parseChatRequest, parseRequestControls, type ExecutionMeta, type GatewayClient } from '@switchyard/routing';
import { streamToClient } from './sse';

export interface ChatEndpointDeps {
  gateway: GatewayClient;
  directory: TenantDirectory;
  bodyLimitBytes: number;
}

/**
 * `POST /v1/chat/completions`, the hot path, served on the Node HTTP server directly (a raw route, see
 * RawRoutes and chat.routes.ts): the edge of the request pipeline. RawRoutes has checked the key (before the
 * body is read); the handler resolves the project once, parses the body and the per-request controls once,
 * and hands typed values to the GatewayClient; then it responds (JSON, or SSE through `streamToClient`).
 */
export function chatCompletionsHandler(deps: ChatEndpointDeps): RawHandler {
  const { gateway, directory, bodyLimitBytes } = deps;
  return async (req: IncomingMessage, res: ServerResponse, { requestId, principal }: RawRouteContext) => {
    if (principal.kind !== 'key') return; // the 'key' policy admits keys only
    const body = await readJsonBody(req, bodyLimitBytes);
    const project = await directory.projectFor(principal, req.headers['x-gateway-project'] as string | undefined);
    const { request, extensions } = parseChatRequest(body);
    const controls = parseRequestControls(req.headers, extensions);
    const clientGone = new Cancellation();
    // A client that disconnects aborts the upstream request.
    res.once('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    try {
      const result = await gateway.execute(principal, project, request, controls, clientGone);
      const gatewayHeaders = responseHeaders(requestId, result.meta);
      if (result.kind === 'completion') return writeJson(res, 200, gatewayHeaders, JSON.stringify(result.completion));
      await streamToClient(res, gatewayHeaders, result, request.stream_options?.include_usage === true, clientGone);
    } catch (err) {
      if (!(err instanceof ClientAbortedError)) throw err;
    }
  };
}

function responseHeaders(requestId: string, meta: ExecutionMeta): Record<string, string> {
  return {
    'x-gateway-request-id': requestId,
    'x-gateway-provider': meta.provider,
    'x-gateway-model': meta.model,
    'x-gateway-step': String(meta.step),
    'x-gateway-attempts': String(meta.attempts),
  };
}
