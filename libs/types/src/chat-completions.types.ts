/**
 * The OpenAI chat completions wire types: the one definition the gateway, the providers and the documents
 * pipeline share. They describe the subset the gateway reads; unknown fields pass through untouched (the
 * index signatures). `chat-request.schema.ts` validates requests against these types at compile time.
 */

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

/** A content part; other types (`input_audio`, `file`, `refusal`) pass through as they are. */
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
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean | null } };

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

/** `POST /v1/chat/completions` as the gateway forwards it (the gateway's body extensions removed). */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean | null;
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
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  seed?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  reasoning_effort?: ReasoningEffort | null;
  user?: string;
  /** Free-form (Keywords AI style); forwarded only to providers that define it (OpenAI, Azure). */
  metadata?: Record<string, unknown> | null;
  [extra: string]: unknown;
}

/** Keywords AI's `load_balance_group`, plus the gateway's `strategy` and `sticky_key` (a saved group's fields). */
export interface LoadBalanceGroupBody {
  group_id?: string;
  models?: { model: string; weight?: number }[];
  strategy?: 'weighted' | 'least-latency' | 'sticky';
  /** For `sticky`: `customer_identifier` (default) or `metadata.<key>`. */
  sticky_key?: string;
}

/** Body fields that belong to the gateway (Keywords AI style), removed before forwarding. */
export interface GatewayBodyExtensions {
  fallback_models?: string[];
  /** Keywords AI: a saved group (`group_id`) or inline members; used when the request names no `model`. */
  load_balance_group?: LoadBalanceGroupBody;
  /** Keywords AI: no fallback to other targets (only the chosen one is tried). */
  disable_fallback?: boolean;
  /** Keywords AI: the models to balance over (equal weights) when the request names no `model` nor group. */
  models?: string[];
  /** Keywords AI: targets left out, by model name (as requested or upstream). */
  exclude_models?: string[];
  /** Keywords AI: targets left out, by provider id. */
  exclude_providers?: string[];
  retry_params?: { retry_enabled?: boolean; num_retries?: number; retry_after?: number };
  cache_enabled?: boolean;
  cache_ttl?: number;
  cache_options?: unknown;
  customer_identifier?: string | number;
  thread_identifier?: string | number;
  custom_identifier?: string | number;
  customer_params?: unknown;
  disable_log?: boolean;
  /** Answer with this text without calling any provider (LiteLLM's name), for tests and CI. */
  mock_response?: string;
}

/** The body a client sends: the forwarded request plus the gateway's extensions (what `chatRequestSchema` validates). */
export type ChatRequestBody = ChatRequest & GatewayBodyExtensions;

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [k: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown };
  /** Prompt-cache writes and reads, kept apart so that cost can price each (Anthropic, Bedrock). */
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  [extra: string]: unknown;
}

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ToolCall[];
  refusal?: string | null;
  reasoning_content?: string;
  thinking_blocks?: ThinkingBlock[];
  [k: string]: unknown;
}

export interface ChatCompletionChoice {
  index: number;
  message: ChatCompletionMessage;
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: Usage;
  system_fingerprint?: string | null;
  [extra: string]: unknown;
}

export interface ChunkToolCall {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  reasoning_content?: string;
  thinking_blocks?: ThinkingBlock[];
  refusal?: string | null;
  tool_calls?: ChunkToolCall[];
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
