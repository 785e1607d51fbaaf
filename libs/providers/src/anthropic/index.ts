import type { ChatRequest } from '@switchyard/types';
import { versionedBase } from '../shared/base-url';
import { anthropicEventUsage, messageUsage } from '../shared/event-usage';
import { nativeCall, nativeHeaders } from '../shared/native';
import { MESSAGES_PATH_USAGE, providerPathCall, providerPathUpstream, providerUrl } from '../shared/provider-path';
import type { AdapterContext, ProviderAdapter, UpstreamRequest } from '../types';
import { buildAnthropicBody } from './chat-request';
import { parseAnthropicResponse } from './chat-response';
import { AnthropicStreamDecoder } from './chat-stream';
import { parseAnthropicError } from './errors';

export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * The Messages API URL: the connection's base URL as the Anthropic SDK takes it (`https://api.anthropic.com`)
 * plus `/v1/messages`; a base saved with its `/v1` (the earlier form) gets `/messages` only.
 */
export const anthropicMessagesUrl = (baseUrl: string | null): string => `${anthropicApiBase(baseUrl)}/messages`;

/** The Anthropic API base with its version (`https://api.anthropic.com/v1`). */
const anthropicApiBase = (baseUrl: string | null): string => versionedBase(baseUrl, 'https://api.anthropic.com', 'v1', /\/v1$/);

/** Anthropic Messages API: `POST {base}/v1/messages` with `x-api-key` and `anthropic-version`. */
export function createAnthropicAdapter(): ProviderAdapter<'anthropic'> {
  return {
    id: 'anthropic',
    buildRequest(request: ChatRequest, ctx: AdapterContext<'anthropic'>): UpstreamRequest {
      return {
        url: anthropicMessagesUrl(ctx.target.baseUrl),
        headers: {
          'content-type': 'application/json',
          accept: ctx.stream ? 'text/event-stream' : 'application/json',
          'x-api-key': ctx.target.credentials.api_key,
          'anthropic-version': ANTHROPIC_VERSION,
        },
        body: JSON.stringify(buildAnthropicBody(request, ctx)),
      };
    },
    parseResponse: (body, ctx) => parseAnthropicResponse(body, ctx.target.upstreamModel),
    createStreamDecoder: (ctx) => new AnthropicStreamDecoder(ctx.target.upstreamModel),
    parseError: parseAnthropicError,
    // A provider-native path (`/v1/messages`, `/v1/messages/count_tokens`…): the client's anthropic-version, else ours.
    providerPath(request, ctx) {
      const auth = { 'x-api-key': ctx.target.credentials.api_key, 'anthropic-version': request.headers['anthropic-version'] ?? ANTHROPIC_VERSION };
      return providerPathUpstream(request, providerUrl(anthropicApiBase(ctx.target.baseUrl), request.path), auth, MESSAGES_PATH_USAGE, providerPathCall('anthropic', request).stream);
    },
    native: {
      // `/v1/messages` passed through: the body as sent (thinking, signatures, cache_control, server tools), the client's version and betas.
      messages(request, ctx) {
        const stream = request.body.stream === true;
        const headers = { ...nativeHeaders(stream), 'x-api-key': ctx.target.credentials.api_key, 'anthropic-version': ANTHROPIC_VERSION, ...request.headers };
        const upstream = { url: anthropicMessagesUrl(ctx.target.baseUrl), headers, body: JSON.stringify({ ...request.body, model: ctx.target.upstreamModel }) };
        return nativeCall(upstream, stream, MESSAGES_USAGE);
      },
    },
  };
}

/** Where a passed-through Messages answer reports its usage (Anthropic, Vertex and Bedrock Claude alike). */
export const MESSAGES_USAGE = { events: anthropicEventUsage, body: messageUsage };

export const anthropicAdapter = createAnthropicAdapter();
export { buildAnthropicBody, parseAnthropicResponse, AnthropicStreamDecoder, parseAnthropicError };
