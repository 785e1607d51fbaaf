import type { ChatRequest } from '@switchyard/types';
import { AnthropicStreamDecoder, buildAnthropicBody, MESSAGES_USAGE, parseAnthropicResponse } from '../anthropic';
import { nativeCall, nativeHeaders } from '../shared/native';
import { versionedBase } from '../shared/base-url';
import { MESSAGES_PATH_USAGE, providerPathCall, providerPathUpstream, providerUrl, type PathUsage } from '../shared/provider-path';
import { geminiUsage } from './usage';
import type { GeminiUsageMetadata } from './types';
import type { ImageFetcher } from '../shared/images';
import type { AdapterContext, ProviderAdapter, StreamDecoder, UpstreamRequest } from '../types';
import { buildGeminiBody } from './chat-request';
import { parseGeminiResponse } from './chat-response';
import { GeminiStreamDecoder } from './chat-stream';
import { geminiEmbeddings, vertexEmbeddings } from './embeddings';
import { imagenImages } from './images';
import { parseGoogleError } from './errors';
import { VertexTokenSource, type TokenFetch } from './vertex-auth';

export interface GoogleAdapterOptions {
  /** Fetches http(s) images (Gemini needs inline bytes): the router injects its guarded fetcher. */
  fetchImage: ImageFetcher;
}

const modelPath = (model: string) => encodeURIComponent(model.replace(/^models\//, ''));

/**
 * The Gemini API base: the connection's base URL as the Google Gen AI SDK takes it (`httpOptions.baseUrl`,
 * `https://generativelanguage.googleapis.com`) plus the API version `/v1beta`; a base saved with its version
 * (`…/v1beta`, `…/v1`, `…/v1alpha`, the earlier form) is used as it is.
 */
export const geminiApiBase = (baseUrl: string | null): string => versionedBase(baseUrl, 'https://generativelanguage.googleapis.com', 'v1beta', /\/v1(alpha|beta)?$/);

/**
 * The Vertex AI base: the connection's base URL as the Google Gen AI SDK takes it with `vertexai: true`
 * (`https://{region}-aiplatform.googleapis.com`, `global` → `https://aiplatform.googleapis.com`) plus `/v1`;
 * a base saved with its version (`…/v1`, `…/v1beta1`) is used as it is.
 */
export function vertexApiBase(baseUrl: string | null, region: string): string {
  const host = region === 'global' ? 'https://aiplatform.googleapis.com' : `https://${region}-aiplatform.googleapis.com`;
  return versionedBase(baseUrl, host, 'v1', /\/v1(beta1)?$/);
}

/**
 * Google AI Studio (Gemini API): `{base}/v1beta/models/{model}:generateContent` or
 * `:streamGenerateContent?alt=sse` (embeddings: `:embedContent`, `:batchEmbedContents`), with the API key in `x-goog-api-key`.
 */
export function createGeminiAdapter(options: GoogleAdapterOptions): ProviderAdapter<'google-ai-studio'> {
  const { fetchImage } = options;
  const modelUrl = (ctx: AdapterContext<'google-ai-studio'>) => `${geminiApiBase(ctx.target.baseUrl)}/models/${modelPath(ctx.target.upstreamModel)}`;
  return {
    id: 'google-ai-studio',
    operations: {
      embeddings: (request, ctx) => geminiEmbeddings(request, ctx, modelUrl(ctx), { 'x-goog-api-key': ctx.target.credentials.api_key }),
      images: (request, ctx) => imagenImages(request, ctx.target.upstreamModel, modelUrl(ctx), { 'x-goog-api-key': ctx.target.credentials.api_key }),
    },
    async buildRequest(request: ChatRequest, ctx: AdapterContext<'google-ai-studio'>): Promise<UpstreamRequest> {
      const method = ctx.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
      return {
        url: `${modelUrl(ctx)}:${method}`,
        headers: {
          'content-type': 'application/json',
          accept: ctx.stream ? 'text/event-stream' : 'application/json',
          'x-goog-api-key': ctx.target.credentials.api_key,
        },
        body: JSON.stringify(await buildGeminiBody(request, ctx, fetchImage)),
      };
    },
    parseResponse: (body, ctx) => parseGeminiResponse(body, ctx.target.upstreamModel),
    createStreamDecoder: (ctx) => new GeminiStreamDecoder(ctx.target.upstreamModel),
    parseError: parseGoogleError,
    providerPath: (request, ctx) =>
      providerPathUpstream(request, providerUrl(geminiApiBase(ctx.target.baseUrl), request.path), { 'x-goog-api-key': ctx.target.credentials.api_key }, GEMINI_PATH_USAGE, providerPathCall('google-ai-studio', request).stream),
  };
}

/** A Gemini answer's `usageMetadata` (the last stream event carries the totals). */
const GEMINI_PATH_USAGE: PathUsage = {
  body: (body) => {
    const u = (body as { usageMetadata?: GeminiUsageMetadata } | null)?.usageMetadata;
    return u ? geminiUsage(u) : null;
  },
  events: () => ({ data }) => (data.includes('"usageMetadata"') ? GEMINI_PATH_USAGE.body(parsedEvent(data)) : null),
};

const parsedEvent = (data: string): unknown => {
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
};

export interface VertexAdapterOptions extends GoogleAdapterOptions {
  /** The HTTP call used for the service-account token exchange (defaults to the global fetch). */
  tokenFetch?: TokenFetch;
  /** Shared token cache (one per process by default). */
  tokenSource?: VertexTokenSource;
}

export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** A Google publisher model's URL on Vertex (`…/publishers/google/models/{model}`), for `:predict`. */
function vertexModelUrl(ctx: AdapterContext<'google-vertex'>): string {
  const c = ctx.target.credentials;
  return `${vertexApiBase(ctx.target.baseUrl, c.region)}/projects/${encodeURIComponent(c.project_id)}/locations/${encodeURIComponent(c.region)}/publishers/google/models/${modelPath(ctx.target.upstreamModel)}`;
}
const isAnthropicModel = (model: string) => /^(anthropic\/)?claude/i.test(model);

/**
 * Vertex AI: Gemini models at `{base}/v1/projects/{project}/locations/{region}/publishers/google/models/{model}:generateContent|streamGenerateContent?alt=sse`,
 * Anthropic models at `publishers/anthropic/models/{model}:rawPredict|streamRawPredict` (the Messages API
 * body without `model`, with `anthropic_version: vertex-2023-10-16`). Bearer access token from the
 * connection's service account.
 */
export function createVertexAdapter(options: VertexAdapterOptions): ProviderAdapter<'google-vertex'> {
  const { fetchImage } = options;
  const tokens = options.tokenSource ?? new VertexTokenSource(options.tokenFetch);
  return {
    id: 'google-vertex',
    operations: {
      async embeddings(request, ctx) {
        return vertexEmbeddings(request, ctx, vertexModelUrl(ctx), { authorization: `Bearer ${await tokens.token(ctx.target.credentials.service_account_json)}` });
      },
      async images(request, ctx) {
        return imagenImages(request, ctx.target.upstreamModel, vertexModelUrl(ctx), { authorization: `Bearer ${await tokens.token(ctx.target.credentials.service_account_json)}` });
      },
    },
    async buildRequest(request: ChatRequest, ctx: AdapterContext<'google-vertex'>): Promise<UpstreamRequest> {
      const c = ctx.target.credentials;
      const region = c.region;
      const project = encodeURIComponent(c.project_id);
      const base = vertexApiBase(ctx.target.baseUrl, region);
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
      const token = await tokens.token(c.service_account_json);
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
    // A provider-native path: Gemini (`publishers/google`) or Claude (`publishers/anthropic`), with the service account's token.
    async providerPath(request, ctx) {
      const c = ctx.target.credentials;
      const url = providerUrl(vertexApiBase(ctx.target.baseUrl, c.region), request.path);
      const usage = request.path.includes('/publishers/anthropic/') ? MESSAGES_PATH_USAGE : GEMINI_PATH_USAGE;
      return providerPathUpstream(request, url, { authorization: `Bearer ${await tokens.token(c.service_account_json)}` }, usage, providerPathCall('google-vertex', request).stream);
    },
    native: {
      serves: isAnthropicModel,
      // `/v1/messages` to Claude on Vertex: the body as sent without `model`, with Vertex's `anthropic_version`; betas as the header.
      async messages(request, ctx) {
        const c = ctx.target.credentials;
        const stream = request.body.stream === true;
        const model = ctx.target.upstreamModel.replace(/^anthropic\//, '');
        const url = `${vertexApiBase(ctx.target.baseUrl, c.region)}/projects/${encodeURIComponent(c.project_id)}/locations/${encodeURIComponent(c.region)}/publishers/anthropic/models/${encodeURIComponent(model)}:${stream ? 'streamRawPredict' : 'rawPredict'}`;
        const { model: _m, ...rest } = request.body;
        const beta = request.headers['anthropic-beta'];
        const headers = { ...nativeHeaders(stream), authorization: `Bearer ${await tokens.token(c.service_account_json)}`, ...(beta ? { 'anthropic-beta': beta } : {}) };
        return nativeCall({ url, headers, body: JSON.stringify({ anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest }) }, stream, MESSAGES_USAGE);
      },
    },
  };
}

export { buildGeminiBody, parseGeminiResponse, GeminiStreamDecoder, parseGoogleError, VertexTokenSource, type TokenFetch };
export { toGeminiSchema } from './schema';
export { VertexAuthError } from './vertex-auth';
