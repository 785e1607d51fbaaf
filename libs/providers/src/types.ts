import type { ChatCompletion, ChatCompletionChunk, ChatRequest, ProviderCredentials, ProviderId } from '@switchyard/types';

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
  headers: Record<string, string>;
  body: string | Uint8Array;
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
