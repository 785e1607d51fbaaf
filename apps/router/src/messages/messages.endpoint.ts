import { anthropicErrorBody, readJsonBody, writeJson, type RawHandler } from '@switchyard/http';
import { estimateInputTokens, MessagesStreamTranslator, messagesErrorEvent, parseCountTokensRequest, parseMessagesRequest, toMessagesResponse } from '@switchyard/ingress';
import type { TenantDirectory } from '@switchyard/auth';
import { resolveModel, type ModelCatalog } from '@switchyard/routing';
import { gatewayEndpoint, type GatewayEdgeDeps, type StreamEncoder } from './gateway-edge';

export const MESSAGES_PATH = '/v1/messages';
export const COUNT_TOKENS_PATH = '/v1/messages/count_tokens';

/**
 * `POST /v1/messages`, Anthropic's Messages API translated through the chat pipeline (libs/ingress): the body
 * becomes a chat request, the completion a `Message`, the chunks Anthropic's stream events; errors leave in
 * Anthropic's shape (the route's error family). The `anthropic-version` header is accepted and not read.
 */
export function messagesHandler(deps: GatewayEdgeDeps): RawHandler {
  return gatewayEndpoint(deps, {
    path: MESSAGES_PATH,
    requestType: 'messages',
    parse: parseMessagesRequest,
    completionText: (result) => JSON.stringify(toMessagesResponse(result.completion)),
    streamEncoder: (request, requestId) => messagesStreamEncoder(request.model, requestId),
  });
}

function messagesStreamEncoder(model: string, requestId: string): StreamEncoder {
  const translator = new MessagesStreamTranslator(model);
  return {
    push: (chunks) => translator.push(chunks),
    finish: () => translator.finish(),
    fail: (error) => messagesErrorEvent(anthropicErrorBody(error.status, error.message, requestId)),
  };
}

/**
 * `POST /v1/messages/count_tokens`: the estimate of `estimateInputTokens` (docs/endpoints.md), from the body
 * validated as `/v1/messages` validates it; the model must be one the caller can route to (else 404, as Anthropic
 * answers), but no provider is called.
 */
export function countTokensHandler(deps: { directory: TenantDirectory; catalog: ModelCatalog; bodyLimitBytes: number }): RawHandler {
  return async (req, res, { principal }) => {
    if (principal.kind !== 'key') return; // the 'key' policy admits keys only
    const request = parseCountTokensRequest(await readJsonBody(req, deps.bodyLimitBytes));
    resolveModel(request.model, await deps.directory.connectionsOf(principal.organizationId), deps.catalog);
    writeJson(res, 200, {}, JSON.stringify({ input_tokens: estimateInputTokens(request) }));
  };
}
