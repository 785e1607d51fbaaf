import { anthropicErrorBody, readJsonBody, writeJson, type RawHandler } from '@switchyard/http';
import { MessagesStreamTranslator, messagesErrorEvent, parseCountTokensRequest, parseMessagesRequest, toMessagesResponse } from '@switchyard/ingress';
import type { TenantDirectory } from '@switchyard/auth';
import { estimateInputTokens } from '@switchyard/metering';
import { GatewayError, type ChatCompletionChunk, type ChatRequest } from '@switchyard/types';
import { parseNativeRequest, parseRequestControls, resolveModel, type ModelCatalog } from '@switchyard/routing';
import { GatewayEdge, type EdgeDeps, type NativeCall } from '../edge/gateway-edge';
import { writePassedThrough } from '../edge/pass-through';
import { translatedAnswer, type EdgeProtocol } from '../edge/protocol-endpoint';
import type { SseEncoder } from '../edge/sse-writer';

export const MESSAGES_PATH = '/v1/messages';
export const COUNT_TOKENS_PATH = '/v1/messages/count_tokens';

/**
 * `POST /v1/messages`, Anthropic's Messages API: passed through as sent to Claude on Anthropic, Vertex and Bedrock
 * (the client's `anthropic-version` and `anthropic-beta` forwarded), translated through the chat pipeline
 * (libs/ingress) for every other provider: the body becomes a chat request, the completion a `Message`, the chunks
 * Anthropic's stream events. Errors leave in Anthropic's shape (the route's error family).
 */
export function messagesHandler(deps: EdgeDeps): RawHandler {
  const edge = new GatewayEdge(deps);
  return async (req, res, { requestId, principal }) => {
    if (principal.kind !== 'key') return; // the 'key' policy admits keys only
    const origin = { requestId, path: MESSAGES_PATH, requestType: 'messages' };
    const { project, body, parsed } = await edge.accept(req, principal, origin, (body) => {
      const { native, extensions } = parseNativeRequest('messages', body, req.headers);
      return { native, controls: parseRequestControls(req.headers, extensions), chat: translation(body) };
    });
    const { native, controls, chat } = parsed;
    await edge.executeNative(res, { origin, principal, project, request: { native, chat }, controls, body }, (result, headers, log, clientGone) => {
      if (result.kind === 'json' || result.kind === 'raw') {
        return writePassedThrough(res, result, headers, log, clientGone, (error) => messagesErrorEvent(anthropicErrorBody(error.status, error.message, requestId)), 'messages');
      }
      // Translated: the chat request exists (a request that cannot be translated has no chat target).
      return translatedAnswer(res, MESSAGES_PROTOCOL, (chat as { request: ChatRequest }).request, requestId)(result, headers, log, clientGone);
    });
  };
}

/**
 * The body translated to chat; a 400 (an Anthropic server tool, a document block, a field the translation lacks)
 * leaves only the Claude providers, which take the body as is.
 */
function translation(body: unknown): NativeCall['chat'] {
  try {
    return { request: parseMessagesRequest(body).request };
  } catch (err) {
    if (err instanceof GatewayError && err.status === 400) return { untranslatable: err };
    throw err;
  }
}

const MESSAGES_PROTOCOL: EdgeProtocol = {
  path: MESSAGES_PATH,
  requestType: 'messages',
  parse: parseMessagesRequest,
  completionText: (result) => JSON.stringify(toMessagesResponse(result.completion)),
  streamEncoder: (request, requestId) => messagesStreamEncoder(request.model, requestId),
};

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
