import { parseChatRequest } from '@switchyard/routing';
import type { EdgeDeps, EdgeHandler } from '../edge/gateway-edge';
import { protocolEndpoint } from '../edge/protocol-endpoint';
import { openAIStreamEncoder } from './sse';

export type ChatEndpointDeps = EdgeDeps;

/**
 * `POST /v1/chat/completions`, the hot path, served on the Node HTTP server directly (a raw route, see
 * RawRoutes and chat.routes.ts): the pipeline's edge (`protocolEndpoint` over `GatewayEdge`) with the request
 * parsed as it is forwarded, the completion answered as the upstream's, and chunks streamed as OpenAI SSE (`sse.ts`).
 */
export function chatCompletionsHandler(deps: ChatEndpointDeps): EdgeHandler {
  return protocolEndpoint(deps, {
    path: '/v1/chat/completions',
    requestType: 'chat.completions',
    parse: parseChatRequest,
    completionText: (result) => JSON.stringify(result.completion),
    streamEncoder: (request) => openAIStreamEncoder(request.stream_options?.include_usage === true),
  });
}
