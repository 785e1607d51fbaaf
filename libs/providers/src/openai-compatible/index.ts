import type { ChatCompletion, ChatCompletionChunk, ChatMessage, ChatRequest, CredentialsOf, ProviderId } from '@switchyard/types';
import { parseJsonError } from '../shared/errors';
import { openAIOperations, type OpenAIOperationsConfig } from './operations';

export { ALL_OPERATIONS } from './operations';
import { SseDecoder } from '../shared/sse';
import { plainToolCallId, splitToolCallId } from '../shared/tool-call-ids';
import { applyModelParameters } from './model-parameters';
import { nativeCall, nativeHeaders } from '../shared/native';
import { responsesEventUsage, responsesUsage } from '../shared/event-usage';
import { asksStreamUsage, hiddenUsageTransform, withIncludeUsage } from './hidden-usage';
import { OPENAI_PATH_USAGE, providerPathCall, providerPathUpstream, providerUrl } from '../shared/provider-path';
import { ProviderStreamError, UnsupportedParameterError, type NativeRequest, type UpstreamCall, type AdapterContext, type ProviderAdapter, type StreamDecoder, type UpstreamRequest } from '../types';

/** The providers that speak the OpenAI wire format (the others have their own folder and translation). */
export type OpenAICompatibleId = Exclude<ProviderId, 'anthropic' | 'google-ai-studio' | 'google-vertex' | 'aws-bedrock' | 'local-ocr'>;

/** What distinguishes one OpenAI-compatible provider from another. */
export interface OpenAICompatibleConfig<P extends OpenAICompatibleId> {
  id: P;
  /** Default base URL (ends in /v1 or the provider's equivalent); null = the connection must set one. */
  baseUrl: string | null;
  /** Headers carrying the credentials. */
  authHeaders: (credentials: CredentialsOf<P>) => Record<string, string>;
  /** Whether `stream_options.include_usage` is understood (else usage arrives unasked or not at all). */
  streamOptions?: boolean;
  /** Whether the OpenAI `metadata` field is defined by this provider (else it is removed). */
  acceptsMetadata?: boolean;
  /** Standard parameters the provider rejects: dropped with x-gateway-drop-unsupported, else a 400. */
  unsupported?: (request: ChatRequest) => string[];
  /** Renames or reshapes the body just before sending. */
  adjust?: (body: Record<string, unknown>) => void;
  /** Builds the URL of an API path (`/chat/completions`, `/embeddings`…) from the base URL (default: base + path). */
  url?: (base: string, ctx: AdapterContext<P>, path: string) => string;
  /** The endpoints besides chat completions the provider offers (none when absent). */
  operations?: OpenAIOperationsConfig;
  /** The URL of a provider-native path (`/{resource}/{deployment}/chat/completions` for Azure); default: `providerUrl` on the base. */
  pathUrl?: (ctx: AdapterContext<P>, path: string) => string;
  /** The provider serves the Responses API (`/v1/responses` is passed through to it); `url`: where, when not `{base}/responses`. */
  responses?: { url?: (ctx: AdapterContext<P>) => string };
}

/** A chat completions path (`/chat/completions`, Azure's `/{resource}/{deployment}/chat/completions`), with or without a query. */
const CHAT_PATH = /\/chat\/completions(?:\?|$)/;

/** `POST /v1/responses` passed through: the body as sent with the provider's model id; usage from the Response or its terminal event. */
function responsesPassThrough<P extends OpenAICompatibleId>(url: (ctx: AdapterContext<P>) => string, auth: (ctx: AdapterContext<P>) => Record<string, string>) {
  return (request: NativeRequest, ctx: AdapterContext<P>): UpstreamCall => {
    const stream = request.body.stream === true;
    const upstream = { url: url(ctx), headers: { ...nativeHeaders(stream), ...auth(ctx) }, body: JSON.stringify({ ...request.body, model: ctx.target.upstreamModel }) };
    return nativeCall(upstream, stream, { events: () => responsesEventUsage, body: responsesUsage });
  };
}

/** `Authorization: Bearer <api_key>`, or nothing for a keyless self-hosted server. */
export const bearer = (credentials: { api_key?: string }): Record<string, string> => (credentials.api_key ? { authorization: `Bearer ${credentials.api_key}` } : {});

/** The shared base of OpenAI and every provider that speaks its wire format. */
export function openAICompatibleAdapter<P extends OpenAICompatibleId>(config: OpenAICompatibleConfig<P>): ProviderAdapter<P> {
  const baseOf = (ctx: AdapterContext<P>): string => {
    const base = ctx.target.baseUrl ?? config.baseUrl ?? (config.url ? '' : null);
    if (base === null) throw new UnsupportedParameterError('model', `The ${config.id} connection has no base_url configured.`);
    return base;
  };
  const urlOf = (path: string, ctx: AdapterContext<P>): string => {
    const base = baseOf(ctx);
    return config.url ? config.url(base, ctx, path) : `${base.replace(/\/+$/, '')}${path}`;
  };
  const authHeaders = (ctx: AdapterContext<P>) => config.authHeaders(ctx.target.credentials as CredentialsOf<P>);
  return {
    id: config.id,
    operations: config.operations ? openAIOperations({ url: urlOf, headers: authHeaders }, config.operations) : undefined,
    native: config.responses ? { responses: responsesPassThrough(config.responses.url ?? ((ctx) => urlOf('/responses', ctx)), authHeaders) } : undefined,

    async providerPath(request, ctx) {
      const url = config.pathUrl ? config.pathUrl(ctx, request.path) : providerUrl(baseOf(ctx), request.path);
      const stream = providerPathCall(config.id, request).stream;
      // A chat stream without usage asked: asked for upstream (priced), hidden from the client (see hidden-usage.ts).
      if (!stream || config.streamOptions === false || !request.json || !request.body || !CHAT_PATH.test(request.path) || asksStreamUsage(request.json)) {
        return providerPathUpstream(request, url, authHeaders(ctx), OPENAI_PATH_USAGE, stream);
      }
      const call = await providerPathUpstream({ ...request, body: withIncludeUsage(request.body, request.json) }, url, authHeaders(ctx), OPENAI_PATH_USAGE, true);
      return call.read === 'raw' ? { ...call, transform: hiddenUsageTransform(), usageUpstream: true } : call;
    },

    buildRequest(request: ChatRequest, ctx: AdapterContext<P>): UpstreamRequest {
      const url = urlOf('/chat/completions', ctx);
      const body: Record<string, unknown> = { ...request, model: ctx.target.upstreamModel };
      for (const param of config.unsupported?.(request) ?? []) {
        if (!ctx.dropUnsupported) {
          throw new UnsupportedParameterError(param, `'${param}' is not supported by ${config.id}. Send x-gateway-drop-unsupported: true to drop it.`);
        }
        delete body[param];
      }
      if (!config.acceptsMetadata || !isOpenAIMetadata(request.metadata)) delete body['metadata'];
      if (request.messages.some(carriesThoughtSignature)) body['messages'] = request.messages.map(withPlainToolCallIds);
      if (ctx.stream) {
        body['stream'] = true;
        // Usage is always requested so that it can be recorded; the executor hides it unless asked for.
        if (config.streamOptions !== false) body['stream_options'] = { ...(request.stream_options ?? {}), include_usage: true };
        else delete body['stream_options'];
      } else {
        delete body['stream'];
        delete body['stream_options'];
      }
      // Claude's `thinking_blocks` ride on assistant messages so that they round-trip (see shared/thinking.ts);
      // OpenAI-format servers do not define the field, so a conversation moved here drops it.
      if (request.messages.some((m) => m.role === 'assistant' && 'thinking_blocks' in m)) {
        body['messages'] = request.messages.map((m) => {
          if (m.role !== 'assistant' || !('thinking_blocks' in m)) return m;
          const { thinking_blocks: _dropped, ...rest } = m;
          return rest;
        });
      }
      if (ctx.parameters) applyModelParameters(body, ctx.parameters, ctx.target.upstreamModel, ctx.dropUnsupported);
      config.adjust?.(body);
      return {
        url,
        headers: { 'content-type': 'application/json', accept: ctx.stream ? 'text/event-stream' : 'application/json', ...authHeaders(ctx) },
        body: JSON.stringify(body),
      };
    },

    parseResponse(body: unknown): ChatCompletion {
      const completion = body as ChatCompletion;
      if (!completion || typeof completion !== 'object' || !Array.isArray(completion.choices)) {
        throw new ProviderStreamError('The provider returned a response that is not a chat completion.', 502, 'malformed_response');
      }
      return completion;
    },

    createStreamDecoder(): StreamDecoder {
      return new OpenAIStreamDecoder();
    },

    parseError: parseJsonError,
  };
}

const carriesThoughtSignature = (m: ChatMessage): boolean =>
  (typeof m.tool_call_id === 'string' && splitToolCallId(m.tool_call_id).thoughtSignature !== undefined) ||
  (m.tool_calls ?? []).some((c) => splitToolCallId(c.id).thoughtSignature !== undefined);

/** A message whose tool call ids carry Gemini thought signatures (a conversation begun on Gemini 3), with plain ids. */
function withPlainToolCallIds(m: ChatMessage): ChatMessage {
  if (!carriesThoughtSignature(m)) return m;
  const out: ChatMessage = { ...m };
  if (typeof m.tool_call_id === 'string') out.tool_call_id = plainToolCallId(m.tool_call_id);
  if (m.tool_calls) out.tool_calls = m.tool_calls.map((c) => ({ ...c, id: plainToolCallId(c.id) }));
  return out;
}

interface StreamErrorInfo {
  message?: string;
  code?: unknown;
  type?: string;
}

/** An OpenAI-format stream event as received: a chunk, or an error (`{"error":{…}}`, or the fields themselves under `event: error`). */
type OpenAIStreamEvent = Partial<ChatCompletionChunk> & StreamErrorInfo & { error?: StreamErrorInfo };

/** Decodes an OpenAI-format SSE stream: JSON chunks until `data: [DONE]`. */
export class OpenAIStreamDecoder implements StreamDecoder {
  private readonly sse = new SseDecoder();
  private done = false;

  push(bytes: Uint8Array): ChatCompletionChunk[] {
    return this.decode(this.sse.push(bytes));
  }

  end(): ChatCompletionChunk[] {
    const out = this.decode(this.sse.end());
    if (!this.done) throw new ProviderStreamError('The provider closed the stream before it was complete.', 502, 'stream_incomplete');
    return out;
  }

  private decode(events: { data: string; event?: string }[]): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    for (const e of events) {
      if (this.done) continue;
      const data = e.data.trim();
      if (data === '[DONE]') {
        this.done = true;
        continue;
      }
      if (!data) continue;
      let ev: OpenAIStreamEvent;
      try {
        ev = JSON.parse(data) as OpenAIStreamEvent;
      } catch {
        throw new ProviderStreamError('The provider sent a malformed stream event.', 502, 'malformed_stream');
      }
      if (e.event === 'error' || ev.error) {
        const err = ev.error ?? ev;
        const status = /overload/i.test(String(err.type ?? err.code ?? '')) ? 529 : typeof err.code === 'number' ? err.code : 500;
        throw new ProviderStreamError(err.message ?? 'The provider reported an error inside the stream.', status, String(err.code ?? err.type ?? 'stream_error'));
      }
      if (!Array.isArray(ev.choices)) throw new ProviderStreamError('The provider sent a malformed stream chunk.', 502, 'malformed_stream');
      out.push(ev as ChatCompletionChunk);
    }
    return out;
  }
}

/**
 * Whether a body's `metadata` is in the form OpenAI defines (string values only). The gateway accepts any JSON
 * object there (Keywords AI style, for its logs); one with other values is kept out of the upstream body, where
 * OpenAI would refuse it.
 */
function isOpenAIMetadata(metadata: unknown): boolean {
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) return false;
  return Object.values(metadata).every((v) => typeof v === 'string');
}

