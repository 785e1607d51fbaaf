/**
 * The Anthropic Messages API wire types as a client sends and reads them (`POST /v1/messages`): the subset the
 * ingress translates. `@anthropic-ai/sdk`'s own types are the reference for the shapes below.
 */

export interface CacheControl {
  type: 'ephemeral';
  ttl?: string;
}

export interface MessagesTextBlock {
  type: 'text';
  text: string;
  cache_control?: CacheControl | null;
}

export type MessagesImageSource = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

export interface MessagesImageBlock {
  type: 'image';
  source: MessagesImageSource;
  cache_control?: CacheControl | null;
}

export interface MessagesToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

export interface MessagesToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | (MessagesTextBlock | MessagesImageBlock)[];
  is_error?: boolean;
}

export interface MessagesThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface MessagesRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

export type MessagesContentBlock =
  | MessagesTextBlock
  | MessagesImageBlock
  | MessagesToolUseBlock
  | MessagesToolResultBlock
  | MessagesThinkingBlock
  | MessagesRedactedThinkingBlock;

export interface MessagesMessage {
  role: 'user' | 'assistant';
  content: string | MessagesContentBlock[];
}

/** A block of the answer (`Message.content`). */
export type MessagesOutputBlock = MessagesTextBlock | MessagesToolUseBlock | MessagesThinkingBlock | MessagesRedactedThinkingBlock;

export type MessagesStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';

export interface MessagesUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number | null;
  cache_read_input_tokens: number | null;
}

/** The answer of `POST /v1/messages` (non-streaming), as `Anthropic.Message`. */
export interface MessagesResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: MessagesOutputBlock[];
  stop_reason: MessagesStopReason | null;
  stop_sequence: string | null;
  usage: MessagesUsage;
}
