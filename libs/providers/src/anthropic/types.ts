/** The Anthropic Messages API wire types the adapter reads and writes. */
export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  cache_control?: unknown;
}
export type AnthropicContentBlock =
  | AnthropicTextBlock
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string }; cache_control?: unknown }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string | AnthropicContentBlock[]; is_error?: boolean }
  | { type: 'thinking'; thinking: string; signature?: string }
  | { type: 'redacted_thinking'; data: string };

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | AnthropicContentBlock[];
}

export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: Record<string, number> | null;
  [k: string]: unknown;
}

export interface AnthropicResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: string | null;
  stop_sequence?: string | null;
  usage: AnthropicUsage;
}

/** A `content_block_start` block as streamed (tool input arrives later as `input_json_delta` fragments). */
export type AnthropicStreamBlock =
  | { type: 'text'; text?: string }
  | { type: 'thinking'; thinking?: string; signature?: string }
  | { type: 'redacted_thinking'; data?: string }
  | { type: 'tool_use'; id?: string; name?: string };

export type AnthropicStreamDelta =
  | { type: 'text_delta'; text?: string }
  | { type: 'thinking_delta'; thinking?: string }
  | { type: 'signature_delta'; signature?: string }
  | { type: 'input_json_delta'; partial_json?: string };

/**
 * The Messages API stream events (SSE `data:` payloads). Fields are optional as received: the decoder reads
 * what it needs; event, block and delta types a newer API adds fall through to the decoder's defaults.
 */
export type AnthropicStreamEvent =
  | { type: 'message_start'; message?: { id?: string; model?: string; usage?: AnthropicUsage } }
  | { type: 'content_block_start'; index?: number; content_block?: AnthropicStreamBlock }
  | { type: 'content_block_delta'; index?: number; delta?: AnthropicStreamDelta }
  | { type: 'content_block_stop'; index?: number }
  | { type: 'message_delta'; delta?: { stop_reason?: string | null }; usage?: AnthropicUsage }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | { type: 'error'; error?: { type?: string; message?: string } };

/** The tool that carries `response_format: json_schema` (forced with tool_choice); its input is the JSON answer. */
export const JSON_TOOL_NAME = 'json_response';
