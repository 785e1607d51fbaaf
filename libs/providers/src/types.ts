import type { ProviderId } from '@switchyard/types';

/**
 * The adapter contract. Every provider is a folder of pure functions over the OpenAI wire format:
 * build the upstream request, parse the response, decode the stream, describe errors. No Nest, no I/O
 * (the executor in libs/routing does the HTTP), so the router and the documents worker share it.
 */

// ---- OpenAI wire types (the subset the gateway reads; unknown fields pass through untouched) ----
export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export interface TextPart {
  type: 'text';
  text: string;
}
export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}
export type ContentPart = TextPart | ImagePart | ({ type: string } & Record<string, unknown>);

/**
 * A Claude thinking block as the gateway carries it to and from OpenAI clients (`message.thinking_blocks`,
 * streamed as `delta.thinking_blocks`, one complete block per entry): send them back unchanged on the assistant
 * message of a tool-use turn, since the Claude APIs require the signed thinking before the tool_use.
 */
export type ThinkingBlock = { type: 'thinking'; thinking: string; signature?: string } | { type: 'redacted_thinking'; data: string };

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: Role;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  [extra: string]: unknown;
}

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  seed?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  reasoning_effort?: 'minimal' | 'low' | 'medium' | 'high' | null;
  user?: string;
  metadata?: Record<string, string>;
  [extra: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [k: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown };
  [extra: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[]; refusal?: string | null; reasoning_content?: string; thinking_blocks?: ThinkingBlock[]; [k: string]: unknown };
    finish_reason: FinishReason | null;
    logprobs?: unknown;
  }[];
  usage?: Usage;
  system_fingerprint?: string | null;
  [extra: string]: unknown;
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  reasoning_content?: string;
  thinking_blocks?: ThinkingBlock[];
  refusal?: string | null;
  tool_calls?: { index: number; id?: string; type?: 'function'; function?: { name?: string; arguments?: string } }[];
  [k: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: { index: number; delta: ChunkDelta; finish_reason: FinishReason | null; logprobs?: unknown }[];
  usage?: Usage | null;
  [extra: string]: unknown;
}

// ---- The contract ----
export interface ProviderTarget {
  provider: ProviderId;
  /** The provider's own model id (Azure: the deployment name; Bedrock: the model id or ARN). */
  upstreamModel: string;
  /** The connection's admin-set base URL, when it has one. */
  baseUrl: string | null;
  credentials: Record<string, unknown>;
}

export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export interface AdapterContext {
  target: ProviderTarget;
  stream: boolean;
  /** The catalog's max output tokens for the model, for providers that require max_tokens. */
  maxOutputTokens?: number;
  /** `x-gateway-drop-unsupported: true`: drop parameters the provider cannot honour instead of a 400. */
  dropUnsupported: boolean;
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

export interface ProviderAdapter {
  readonly id: ProviderId;
  buildRequest(request: ChatRequest, ctx: AdapterContext): UpstreamRequest | Promise<UpstreamRequest>;
  parseResponse(body: unknown, ctx: AdapterContext): ChatCompletion;
  createStreamDecoder(ctx: AdapterContext): StreamDecoder;
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
