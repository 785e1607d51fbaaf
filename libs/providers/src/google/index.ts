import { AnthropicStreamDecoder, buildAnthropicBody, parseAnthropicResponse } from '../anthropic';
import { defaultImageFetcher, type ImageFetcher } from '../shared/images';
import type { AdapterContext, ChatRequest, ProviderAdapter, StreamDecoder, UpstreamRequest } from '../types';
import { buildGeminiBody } from './chat-request';
import { parseGeminiResponse } from './chat-response';
import { GeminiStreamDecoder } from './chat-stream';
import { parseGoogleError } from './errors';
import { VertexTokenSource, type TokenFetch } from './vertex-auth';

export interface GoogleAdapterOptions {
  /** Fetches http(s) images (Gemini needs inline bytes). */
  fetchImage?: ImageFetcher;
}

const modelPath = (model: string) => encodeURIComponent(model.replace(/^models\//, ''));

/**
 * Google AI Studio (Gemini API): `{base}/models/{model}:generateContent` or
 * `:streamGenerateContent?alt=sse`, with the API key in `x-goog-api-key`.
 * The connection's base_url replaces `https://generativelanguage.googleapis.com/v1beta`.
 */
export function createGeminiAdapter(options: GoogleAdapterOptions = {}): ProviderAdapter {
  const fetchImage = options.fetchImage ?? defaultImageFetcher;
  return {
    id: 'google-ai-studio',
    async buildRequest(request: ChatRequest, ctx: AdapterContext): Promise<UpstreamRequest> {
      const base = (ctx.target.baseUrl ?? 'https://generativelanguage.googleapis.com/v1beta').replace(/\/+$/, '');
      const method = ctx.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
      return {
        url: `${base}/models/${modelPath(ctx.target.upstreamModel)}:${method}`,
        headers: {
          'content-type': 'application/json',
          accept: ctx.stream ? 'text/event-stream' : 'application/json',
          'x-goog-api-key': String(ctx.target.credentials['api_key'] ?? ''),
        },
        body: JSON.stringify(await buildGeminiBody(request, ctx, fetchImage)),
      };
    },
    parseResponse: (body, ctx) => parseGeminiResponse(body, ctx.target.upstreamModel),
    createStreamDecoder: (ctx) => new GeminiStreamDecoder(ctx.target.upstreamModel),
    parseError: parseGoogleError,
  };
}

export interface VertexAdapterOptions extends GoogleAdapterOptions {
  /** The HTTP call used for the service-account token exchange (defaults to the global fetch). */
  tokenFetch?: TokenFetch;
  /** Shared token cache (one per process by default). */
  tokenSource?: VertexTokenSource;
}

export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';
const isAnthropicModel = (model: string) => /^(anthropic\/)?claude/i.test(model);

/**
 * Vertex AI: Gemini models at `publishers/google/models/{model}:generateContent|streamGenerateContent?alt=sse`,
 * Anthropic models at `publishers/anthropic/models/{model}:rawPredict|streamRawPredict` (the Messages API
 * body without `model`, with `anthropic_version: vertex-2023-10-16`). Bearer access token from the
 * connection's service account. The connection's base_url replaces `https://{region}-aiplatform.googleapis.com/v1`.
 */
export function createVertexAdapter(options: VertexAdapterOptions = {}): ProviderAdapter {
  const fetchImage = options.fetchImage ?? defaultImageFetcher;
  const tokens = options.tokenSource ?? new VertexTokenSource(options.tokenFetch);
  return {
    id: 'google-vertex',
    async buildRequest(request: ChatRequest, ctx: AdapterContext): Promise<UpstreamRequest> {
      const c = ctx.target.credentials;
      const region = String(c['region'] ?? 'us-central1');
      const project = encodeURIComponent(String(c['project_id'] ?? ''));
      const host = region === 'global' ? 'https://aiplatform.googleapis.com/v1' : `https://${region}-aiplatform.googleapis.com/v1`;
      const base = (ctx.target.baseUrl ?? host).replace(/\/+$/, '');
      const model = ctx.target.upstreamModel.replace(/^anthropic\//, '');
      const prefix = `${base}/projects/${project}/locations/${encodeURIComponent(region)}/publishers`;
      let url: string;
      let body: Record<string, unknown>;
      if (isAnthropicModel(model)) {
        url = `${prefix}/anthropic/models/${encodeURIComponent(model)}:${ctx.stream ? 'streamRawPredict' : 'rawPredict'}`;
        const { model: _m, ...rest } = buildAnthropicBody(request, ctx, 'Anthropic on Vertex');
        body = { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest };
      } else {
        url = `${prefix}/google/models/${modelPath(model)}:${ctx.stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
        body = await buildGeminiBody(request, ctx, fetchImage);
      }
      const token = await tokens.token(c['service_account_json']);
      return {
        url,
        headers: { 'content-type': 'application/json', accept: ctx.stream ? 'text/event-stream' : 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      };
    },
    parseResponse: (body, ctx) =>
      isAnthropicModel(ctx.target.upstreamModel) ? parseAnthropicResponse(body, ctx.target.upstreamModel) : parseGeminiResponse(body, ctx.target.upstreamModel),
    createStreamDecoder: (ctx): StreamDecoder =>
      isAnthropicModel(ctx.target.upstreamModel) ? new AnthropicStreamDecoder(ctx.target.upstreamModel) : new GeminiStreamDecoder(ctx.target.upstreamModel),
    parseError: parseGoogleError,
  };
}

export const geminiAdapter = createGeminiAdapter();
export const vertexAdapter = createVertexAdapter();
export { buildGeminiBody, parseGeminiResponse, GeminiStreamDecoder, parseGoogleError, VertexTokenSource, type TokenFetch };
export { toGeminiSchema } from './schema';
export { VertexAuthError } from './vertex-auth';
