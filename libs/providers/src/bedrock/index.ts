import type { ChatRequest } from '@switchyard/types';
import type { ImageFetcher } from '../shared/images';
import type { AdapterContext, ProviderAdapter, UpstreamRequest } from '../types';
import { buildBedrockBody } from './chat-request';
import { parseBedrockResponse } from './chat-response';
import { BedrockStreamDecoder } from './chat-stream';
import { bedrockEmbeddings } from './embeddings';
import { parseBedrockError } from './errors';
import { awsCredentials, signRequest } from './sign';
import { bedrockUsageEvents, invokeStreamAsSse } from './event-stream';
import { MESSAGES_USAGE } from '../anthropic';
import { nativeCall } from '../shared/native';
import { anthropicEventUsage } from '../shared/event-usage';
import { MESSAGES_PATH_USAGE, providerPathCall, providerPathUpstream, type PathUsage } from '../shared/provider-path';
import { bedrockUsage } from './usage';
import type { BedrockUsage } from './types';

export interface BedrockAdapterOptions {
  /** Fetches http(s) images (Converse takes image bytes only): the router injects its guarded fetcher. */
  fetchImage: ImageFetcher;
  /** Clock for signing (tests). */
  now?: () => Date;
}

/**
 * AWS Bedrock Converse / ConverseStream: `POST {base}/model/{modelId}/converse|converse-stream`, SigV4-signed
 * (service `bedrock`) with the connection's access key, secret, optional session token and region. The
 * connection's base_url is what the AWS SDK takes as `endpoint` (`https://bedrock-runtime.{region}.amazonaws.com`).
 * Embeddings go through InvokeModel (`/model/{modelId}/invoke`, see embeddings.ts).
 */
export function createBedrockAdapter(options: BedrockAdapterOptions): ProviderAdapter<'aws-bedrock'> {
  const { fetchImage } = options;
  const baseOf = (ctx: AdapterContext<'aws-bedrock'>, region: string) => (ctx.target.baseUrl ?? `https://bedrock-runtime.${region}.amazonaws.com`).replace(/\/+$/, '');
  return {
    id: 'aws-bedrock',
    operations: {
      embeddings: (request, ctx) => {
        const creds = awsCredentials(ctx.target.credentials);
        const url = `${baseOf(ctx, creds.region)}/model/${encodeURIComponent(ctx.target.upstreamModel)}/invoke`;
        const headers = { 'content-type': 'application/json', accept: 'application/json' };
        return bedrockEmbeddings(request, ctx, (body) => signRequest({ url, headers, body: JSON.stringify(body) }, creds, options.now?.()));
      },
    },
    async buildRequest(request: ChatRequest, ctx: AdapterContext<'aws-bedrock'>): Promise<UpstreamRequest> {
      const creds = awsCredentials(ctx.target.credentials);
      const base = baseOf(ctx, creds.region);
      const body = JSON.stringify(await buildBedrockBody(request, ctx, fetchImage));
      const url = `${base}/model/${encodeURIComponent(ctx.target.upstreamModel)}/${ctx.stream ? 'converse-stream' : 'converse'}`;
      const headers = { 'content-type': 'application/json', accept: ctx.stream ? 'application/vnd.amazon.eventstream' : 'application/json' };
      return signRequest({ url, headers, body }, creds, options.now?.());
    },
    parseResponse: (body, ctx) => parseBedrockResponse(body, ctx.target.upstreamModel),
    createStreamDecoder: (ctx) => new BedrockStreamDecoder(ctx.target.upstreamModel),
    parseError: parseBedrockError,
    /**
     * A provider-native path, Cloudflare's `/bedrock-runtime/{region}/model/{modelId}/{operation}` (its region the
     * connection's: `providerPathScopeError`): to the connection's endpoint, signed with its credentials over the
     * client's exact body. Converse and InvokeModel (Claude) answers are priced, streams from their event frames.
     */
    providerPath(request, ctx) {
      const creds = awsCredentials(ctx.target.credentials);
      const url = `${baseOf(ctx, creds.region)}${request.path.replace(/^\/bedrock-runtime\/[^/]+/, '')}`;
      const sign = (upstream: UpstreamRequest) => signRequest(upstream, creds, options.now?.());
      return providerPathUpstream(request, url, sign, BEDROCK_PATH_USAGE, providerPathCall('aws-bedrock', request).stream);
    },
    native: {
      serves: (model) => /(^|\.)anthropic\.claude|claude/i.test(model),
      /**
       * `/v1/messages` to Claude on Bedrock: InvokeModel (`/invoke`, `/invoke-with-response-stream`) with the body as
       * sent without `model` and `stream`, Bedrock's `anthropic_version`, the betas as `anthropic_beta`; the stream's
       * event-stream frames are rewritten as Anthropic's SSE.
       */
      async messages(request, ctx) {
        const creds = awsCredentials(ctx.target.credentials);
        const stream = request.body.stream === true;
        const url = `${baseOf(ctx, creds.region)}/model/${encodeURIComponent(ctx.target.upstreamModel)}/${stream ? 'invoke-with-response-stream' : 'invoke'}`;
        const { model: _m, stream: _s, ...rest } = request.body;
        const beta = request.headers['anthropic-beta'];
        const body = JSON.stringify({ anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...(beta ? { anthropic_beta: beta.split(',').map((b) => b.trim()) } : {}), ...rest });
        const headers = { 'content-type': 'application/json', accept: stream ? 'application/vnd.amazon.eventstream' : 'application/json' };
        const upstream = await signRequest({ url, headers, body }, creds, options.now?.());
        return stream ? { read: 'raw', request: upstream, transform: invokeStreamAsSse(), sseUsage: MESSAGES_USAGE.events() } : nativeCall(upstream, false, MESSAGES_USAGE);
      },
    },
  };
}

/**
 * Converse's usage (`inputTokens`…), else InvokeModel's Claude Message usage; in a stream, Converse's `metadata`
 * frame, else the Messages events of InvokeModel's `chunk` frames.
 */
const BEDROCK_PATH_USAGE: PathUsage = {
  body: (body) => {
    const u = (body as { usage?: BedrockUsage } | null)?.usage;
    return u && typeof u.inputTokens === 'number' ? bedrockUsage(u) : MESSAGES_PATH_USAGE.body(body);
  },
  events: () => {
    const messages = anthropicEventUsage();
    return (event) => {
      if (event.event !== 'metadata') return messages(event);
      const u = (JSON.parse(event.data) as { usage?: BedrockUsage }).usage;
      return u && typeof u.inputTokens === 'number' ? bedrockUsage(u) : null;
    };
  },
  decoder: bedrockUsageEvents,
};

/** The `anthropic_version` Bedrock's InvokeModel takes for Claude. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

export { buildBedrockBody, parseBedrockResponse, BedrockStreamDecoder, parseBedrockError, signRequest };
