import type { Readable } from 'node:stream';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  EmbeddingsRequest,
  EndpointJsonOutput,
  EndpointOperation,
  MultipartRequest,
  PassThroughRequest,
  ProviderCredentials,
  ProviderId,
  Usage,
} from '@switchyard/types';
import type { ProviderPathRequest } from './shared/provider-path';

/**
 * The adapter contract. Every provider is a folder of pure functions over the OpenAI wire format:
 * build the upstream request, parse the response, decode the stream, describe errors. No Nest, no I/O
 * (the executor in libs/routing does the HTTP), so the router and the documents worker share it. The OpenAI
 * wire types come from @switchyard/types.
 */

/** Where a call goes: the provider with its typed credentials (discriminated by `provider`), the model and the base URL. */
export type ProviderTarget<P extends ProviderId = ProviderId> = ProviderCredentials<P> & {
  /** The provider's own model id (Azure: the deployment name; Bedrock: the model id or ARN). */
  upstreamModel: string;
  /** The connection's admin-set base URL (what the provider's SDK takes as its base URL), when it has one. */
  baseUrl: string | null;
};

export interface UpstreamRequest {
  url: string;
  /** POST unless said (a provider-native `GET` path). */
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  /** A streamed body (a spooled upload) is made anew for each attempt, its `content-length` in `headers`. */
  body: string | Uint8Array | Readable;
}

/**
 * Which OpenAI chat parameters a model accepts, from the catalog (`parameter_profiles` in models.json): the
 * o-series and gpt-5 reasoning models refuse `max_tokens`, `temperature` and more that clients still send.
 */
export interface ModelParameterRules {
  /** Parameters sent under another name (`max_tokens` -> `max_completion_tokens`); a value already under the new name wins. */
  rename?: Readonly<Record<string, string>>;
  /** The role `system` messages are sent as (`developer`). */
  system_role?: 'developer';
  /** Parameters the model refuses: dropped with x-gateway-drop-unsupported, else a 400 naming the first. */
  unsupported?: readonly string[];
  /** Values of refused parameters the model accepts all the same (its defaults: OpenAI's reasoning models take `temperature: 1`): sent as they are. */
  accepted_defaults?: Readonly<Record<string, string | number | boolean>>;
}

export interface AdapterContext<P extends ProviderId = ProviderId> {
  target: ProviderTarget<P>;
  stream: boolean;
  /** The catalog's max output tokens for the model, for providers that require max_tokens. */
  maxOutputTokens?: number;
  /** `x-gateway-drop-unsupported: true`: drop parameters the provider cannot honour instead of a 400. */
  dropUnsupported: boolean;
  /** The catalog's parameter rules for the model, when it has any (OpenAI-format providers apply them). */
  parameters?: ModelParameterRules;
}

/** Turns upstream stream bytes into OpenAI chunks. */
export interface StreamDecoder {
  /** Decodes what these bytes complete. Throws ProviderError for an error event inside the stream. */
  push(bytes: Uint8Array): ChatCompletionChunk[];
  /** The upstream body ended. Throws ProviderError when it ended before the provider's terminal event. */
  end(): ChatCompletionChunk[];
}

export interface ProviderErrorInfo {
  message: string;
  /** The provider's own error code or type, for logs. */
  code?: string;
  param?: string | null;
  /** A 400 whose message says the context window was exceeded (fallback-worthy). */
  contextLength?: boolean;
}

/** An adapter of provider `P`: the registry hands it only targets of that provider. */
export interface ProviderAdapter<P extends ProviderId = ProviderId> {
  readonly id: P;
  buildRequest(request: ChatRequest, ctx: AdapterContext<P>): UpstreamRequest | Promise<UpstreamRequest>;
  parseResponse(body: unknown, ctx: AdapterContext<P>): ChatCompletion;
  createStreamDecoder(ctx: AdapterContext<P>): StreamDecoder;
  /** Describes a non-2xx upstream answer. The message must be safe to show (no secrets). */
  parseError(status: number, body: string): ProviderErrorInfo;
  /** The endpoints other than chat completions this provider offers (absent: chat only). */
  readonly operations?: OperationAdapters<P>;
  /** The client protocols this provider speaks natively, their bodies passed through (absent: translated through chat). */
  readonly native?: NativeAdapters<P>;
  /** A call on the provider's own API path, its bytes passed through with the connection's credentials (Cloudflare's provider-native endpoints). */
  providerPath?(request: ProviderPathRequest, ctx: AdapterContext<P>): Promise<UpstreamCall>;
}

/** A client protocol besides chat completions that some providers speak natively: OpenAI Responses, Anthropic Messages. */
export type NativeProtocol = 'responses' | 'messages';

/** A request of a native protocol, forwarded as sent (the gateway's body fields removed, `model` replaced by the provider's id). */
export interface NativeRequest {
  protocol: NativeProtocol;
  body: PassThroughRequest;
  /** The client's protocol headers to forward (`anthropic-version`, `anthropic-beta`), lower-case names. */
  headers: Readonly<Record<string, string>>;
}

/** How a provider is sent a native request. */
export interface NativeAdapters<P extends ProviderId = ProviderId> {
  responses?(request: NativeRequest, ctx: AdapterContext<P>): UpstreamCall | Promise<UpstreamCall>;
  messages?(request: NativeRequest, ctx: AdapterContext<P>): UpstreamCall | Promise<UpstreamCall>;
  /** Which of the provider's models speak it (Vertex: the Claude models, not Gemini); absent: all. */
  serves?(upstreamModel: string): boolean;
}

/** The adapter's method for a native protocol when the provider speaks it for this model, else undefined (translated through chat). */
export function nativeBuilder(adapter: ProviderAdapter | undefined, protocol: NativeProtocol, upstreamModel: string) {
  const native = adapter?.native;
  const build = native?.[protocol];
  if (!native || !build || (native.serves && !native.serves(upstreamModel))) return undefined;
  return (request: NativeRequest, ctx: AdapterContext) => build.call(native, request, ctx as never);
}

/**
 * Reads a passed-through event stream's events (not changing them) for the call's usage: returns the usage an
 * event completes, else null. Stateful (Anthropic reports input and output tokens in different events): one per call.
 */
export type SseUsageReader = (event: { event?: string; data: string }) => Usage | null;

/** Splits a passed-through body into the events a usage reader reads (SSE by default; Bedrock: its binary frames). Never throws: what it cannot read it skips. */
export interface UsageEventDecoder {
  push(bytes: Uint8Array): { event?: string; data: string }[];
}

/**
 * The adapters of the operations other than chat a provider offers: each builds the upstream calls of one request
 * (the executor sends them and reads the answers). Methods, so that an adapter of one provider is an adapter.
 */
export interface OperationAdapters<P extends ProviderId = ProviderId> {
  embeddings?(request: EmbeddingsRequest, ctx: AdapterContext<P>): UpstreamCall | Promise<UpstreamCall>;
  completions?(request: PassThroughRequest, ctx: AdapterContext<P>): UpstreamCall | Promise<UpstreamCall>;
  images?(request: PassThroughRequest, ctx: AdapterContext<P>): UpstreamCall | Promise<UpstreamCall>;
  speech?(request: PassThroughRequest, ctx: AdapterContext<P>): UpstreamCall | Promise<UpstreamCall>;
  transcription?(request: MultipartRequest, ctx: AdapterContext<P>): UpstreamCall | Promise<UpstreamCall>;
}

/** Every operation is an adapter method (checked at compile time). */
type _EveryOperationHasAMethod = Assert<Exclude<EndpointOperation, keyof OperationAdapters> extends never ? true : false>;
type Assert<T extends true> = T;

/** One upstream answer of a JSON call: its parsed body and headers (some providers report usage in headers). */
export interface UpstreamAnswer {
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The upstream side of one non-chat request: either JSON calls (several when the input is split over the
 * provider's batch limit, sent together) combined in order into the client's answer, or one call whose answer
 * goes to the client byte for byte as it arrives (speech audio, transcripts as text, pass-through streams).
 */
export type UpstreamCall = (
  | { read: 'json'; requests: UpstreamRequest[]; combine(answers: UpstreamAnswer[]): EndpointJsonOutput }
  | {
      read: 'raw';
      request: UpstreamRequest;
      /** The answer is an event stream: the usage this reader finds in its events is recorded as they pass. */
      sseUsage?: SseUsageReader;
      /** How the answer's bytes split into those events, when they are not SSE (Bedrock's event-stream frames). */
      usageEvents?: () => UsageEventDecoder;
      /** Turns the upstream bytes into what the client is sent (Bedrock's event-stream frames into Anthropic SSE); absent: as they are. */
      transform?: ByteTransform;
      /** The usage events are read in the provider's bytes, before `transform` (which drops them); else in what the client is sent. */
      usageUpstream?: boolean;
    }
) & {
  /**
   * The credentials as sent, when they are not only the connection's stored ones (an access token fetched for the
   * call): removed, with the stored ones, from the message and the bytes of the provider's error answer.
   */
  sentSecrets?: readonly string[];
};

/** A stateful rewrite of a passed-through body: each upstream read to client bytes, then what remains at the end. Throws ProviderStreamError on malformed input. */
export interface ByteTransform {
  push(bytes: Uint8Array): Uint8Array;
  end(): Uint8Array;
  /** The content type of what it makes (absent: the provider's, its framing kept). */
  contentType?: string;
}

/** A request the provider cannot serve as asked (a 400 naming the parameter). */
export class UnsupportedParameterError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnsupportedParameterError';
  }
}

/** An error the provider reported inside a stream that had started with 200 (or a malformed stream). */
export class ProviderStreamError extends Error {
  constructor(
    message: string,
    /** The HTTP status the provider's error corresponds to (e.g. 529 overloaded, 500), for mapping and retries. */
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ProviderStreamError';
  }
}
