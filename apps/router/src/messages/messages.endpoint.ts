import { anthropicErrorBody, readJsonBody, writeJson, type RawHandler } from '@switchyard/http';
import { MessagesStreamTranslator, messagesErrorEvent, parseCountTokensRequest, parseMessagesRequest, toMessagesResponse } from '@switchyard/ingress';
import type { TenantDirectory } from '@switchyard/auth';
import { estimateInputTokens } from '@switchyard/metering';
import type { ChatCompletionChunk } from '@switchyard/types';
import { resolveModel, type ModelCatalog } from '@switchyard/routing';
import type { EdgeDeps } from '../edge/gateway-edge';
import { protocolEndpoint } from '../edge/protocol-endpoint';
import type { SseEncoder } from '../edge/sse-writer';

export const MESSAGES_PATH = '/v1/messages';
export const COUNT_TOKENS_PATH = '/v1/messages/count_tokens';

/**
 * `POST /v1/messages`, Anthropic's Messages API translated through the chat pipeline (libs/ingress): the body
 * becomes a chat request, the completion a `Message`, the chunks Anthropic's stream events; errors leave in
 * Anthropic's shape (the route's error family). The `anthropic-version` header is accepted and not read.
 */
export function messagesHandler(deps: EdgeDeps): RawHandler {
  return protocolEndpoint(deps, {
    path: MESSAGES_PATH,
    requestType: 'messages',
    parse: parseMessagesRequest,
    completionText: (result) => JSON.stringify(toMessagesResponse(result.completion)),
    streamEncoder: (request, requestId) => messagesStreamEncoder(request.model, requestId),
  });
}

function messagesStreamEncoder(model: string, requestId: string): SseEncoder {
  const translator = new MessagesStreamTranslator(model);
  const push = (chunks: ChatCompletionChunk[]) => translator.push(chunks);
  return {
    head: push,
    batch: push,
    end: () => translator.finish(),
    error: (error) => messagesErrorEvent(anthropicErrorBody(error.status, error.message, requestId)),
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
