import { parseChatRequest, type ChatRequestPreparation } from '@switchyard/routing';
import type { EdgeDeps, EdgeHandler } from '../edge/gateway-edge';
import { protocolEndpoint } from '../edge/protocol-endpoint';
import { openAIStreamEncoder } from './sse';

export type ChatEndpointDeps = EdgeDeps & { preparation: ChatRequestPreparation };

/**
 * `POST /v1/chat/completions`, the hot path, served on the Node HTTP server directly (a raw route, see
 * RawRoutes and chat.routes.ts): the pipeline's edge (`protocolEndpoint` over `GatewayEdge`) with the request
 * prepared (a config named by `x-gateway-config`, or a saved `prompt`, merged into it) and parsed as it is forwarded, the completion answered as the upstream's, and chunks streamed as OpenAI SSE (`sse.ts`).
 */
export function chatCompletionsHandler(deps: ChatEndpointDeps): EdgeHandler {
  return protocolEndpoint(deps, {
    path: '/v1/chat/completions',
    requestType: 'chat.completions',
    prepare: (body, headers, project) => deps.preparation.prepare(body, headers, project),
    parse: parseChatRequest,
    completionText: (result, answerFields) => JSON.stringify(answerFields ? { ...result.completion, ...answerFields } : result.completion),
    streamEncoder: (request) => openAIStreamEncoder(request.stream_options?.include_usage === true),
  });
}
