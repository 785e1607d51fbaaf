import type { FinishReason } from '@switchyard/types';

/**
 * Every provider's stop reason mapped to the OpenAI finish_reason, in one place (Portkey's finishReasonMap).
 * A reason that must not pass as a normal finish (Gemini MALFORMED_FUNCTION_CALL) maps to 'error':
 * the adapter raises it instead of rewriting it into `stop`.
 */
export type MappedFinish = FinishReason | 'error';

const ANTHROPIC: Record<string, MappedFinish> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

const GEMINI: Record<string, MappedFinish> = {
  STOP: 'stop',
  FINISH_REASON_UNSPECIFIED: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  LANGUAGE: 'content_filter',
  OTHER: 'content_filter',
  MALFORMED_FUNCTION_CALL: 'error',
  UNEXPECTED_TOOL_CALL: 'error',
  TOO_MANY_TOOL_CALLS: 'error',
};

const BEDROCK: Record<string, MappedFinish> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

const TABLES = { anthropic: ANTHROPIC, gemini: GEMINI, bedrock: BEDROCK } as const;

/** Maps a provider's stop reason; unknown reasons become `stop` (never silently `length` or `tool_calls`). */
export function mapFinishReason(family: keyof typeof TABLES, reason: string | null | undefined): MappedFinish {
  if (!reason) return 'stop';
  return TABLES[family][reason] ?? 'stop';
}

/**
 * The finish reason of a provider that carries `response_format: json_schema` as a forced tool (Anthropic,
 * Bedrock): a stop on that tool alone is a normal `stop`, since the caller asked for JSON, not a tool call.
 */
export function forcedJsonToolFinish(family: 'anthropic' | 'bedrock', reason: string | null | undefined, onlyJsonTool: boolean): FinishReason {
  const mapped = mapFinishReason(family, reason);
  if (mapped === 'tool_calls' && onlyJsonTool) return 'stop';
  return mapped === 'error' ? 'stop' : mapped;
}
