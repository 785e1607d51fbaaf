import { writeJson, type RawHandler } from '@switchyard/http';
import { parseChatRequest, parseRequestControls } from '@switchyard/routing';
import { GatewayEdge, type EdgeDeps } from '../edge/gateway-edge';
import { streamToClient } from './sse';

export type ChatEndpointDeps = EdgeDeps;

/**
 * `POST /v1/chat/completions`, the hot path, served on the Node HTTP server directly (a raw route, see
 * RawRoutes and chat.routes.ts): the edge of the request pipeline. RawRoutes has checked the key (before the
 * body is read); the handler resolves the project once, parses the body and the per-request controls once,
 * and hands typed values to the GatewayClient (through `GatewayEdge`, which every endpoint shares); then it
 * responds (JSON, or SSE through `streamToClient`) and ends the request's log (the accounting stage: metrics,
 * and the log record appended off the request path).
 */
export function chatCompletionsHandler(deps: ChatEndpointDeps): RawHandler {
  const edge = new GatewayEdge(deps);
  return async (req, res, { requestId, principal }) => {
    if (principal.kind !== 'key') return; // the 'key' policy admits keys only
    const { body, project } = await edge.read(req, principal);
    const { request, extensions } = parseChatRequest(body);
    const controls = parseRequestControls(req.headers, extensions);
    const origin = { requestId, path: CHAT_PATH, requestType: 'chat.completions' };
    await edge.execute(res, { origin, principal, project, request, controls, body }, async (result, headers, log, clientGone) => {
      if (result.kind === 'completion') {
        const text = JSON.stringify(result.completion);
        writeJson(res, 200, headers, text);
        return log.end({ statusCode: 200, errorCode: null, result, responseText: text });
      }
      const failure = await streamToClient(res, headers, log.watch(result), request.stream_options?.include_usage === true, clientGone);
      log.end({ statusCode: 200, errorCode: failure?.code ?? (clientGone.aborted ? 'client_disconnected' : null), result });
    });
  };
}

const CHAT_PATH = '/v1/chat/completions';
