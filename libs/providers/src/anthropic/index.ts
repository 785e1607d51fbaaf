import type { AdapterContext, ChatRequest, ProviderAdapter, UpstreamRequest } from '../types';
import { buildAnthropicBody } from './chat-request';
import { parseAnthropicResponse } from './chat-response';
import { AnthropicStreamDecoder } from './chat-stream';
import { parseAnthropicError } from './errors';

export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * Anthropic Messages API: `POST {base}/messages` with `x-api-key` and `anthropic-version`.
 * The connection's base_url replaces `https://api.anthropic.com/v1`.
 */
export function createAnthropicAdapter(): ProviderAdapter {
  return {
    id: 'anthropic',
    buildRequest(request: ChatRequest, ctx: AdapterContext): UpstreamRequest {
      const base = (ctx.target.baseUrl ?? 'https://api.anthropic.com/v1').replace(/\/+$/, '');
      return {
        url: `${base}/messages`,
        headers: {
          'content-type': 'application/json',
          accept: ctx.stream ? 'text/event-stream' : 'application/json',
          'x-api-key': String(ctx.target.credentials['api_key'] ?? ''),
          'anthropic-version': ANTHROPIC_VERSION,
        },
        body: JSON.stringify(buildAnthropicBody(request, ctx)),
      };
    },
    parseResponse: (body, ctx) => parseAnthropicResponse(body, ctx.target.upstreamModel),
    createStreamDecoder: (ctx) => new AnthropicStreamDecoder(ctx.target.upstreamModel),
    parseError: parseAnthropicError,
  };
}

export const anthropicAdapter = createAnthropicAdapter();
export { buildAnthropicBody, parseAnthropicResponse, AnthropicStreamDecoder, parseAnthropicError };
