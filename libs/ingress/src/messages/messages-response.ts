import type { ChatCompletion, FinishReason, ThinkingBlock, ToolCall, Usage } from '@switchyard/types';
import type { MessagesOutputBlock, MessagesResponse, MessagesStopReason, MessagesThinkingBlock, MessagesRedactedThinkingBlock, MessagesUsage } from './types';

const STOP_REASON: Record<FinishReason, MessagesStopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/**
 * A chat finish reason as a Messages stop reason. Chat does not say whether a stop sequence ended the answer,
 * so `stop_sequence` is never reported: such an answer ends with `end_turn` (docs/endpoints.md).
 */
export function stopReasonOf(finish: FinishReason | null | undefined): MessagesStopReason {
  return finish ? STOP_REASON[finish] : 'end_turn';
}

/**
 * Chat usage as Messages usage: Anthropic's `input_tokens` excludes the prompt-cache reads and writes, which it
 * reports apart (chat's `prompt_tokens` includes both, its `cached_tokens` being the reads).
 */
export function messagesUsageOf(usage: Usage | null | undefined): MessagesUsage {
  if (!usage) return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: null, cache_read_input_tokens: null };
  const cacheRead = num(usage.cache_read_input_tokens ?? usage.prompt_tokens_details?.cached_tokens);
  const cacheWrite = num(usage.cache_creation_input_tokens);
  return {
    input_tokens: Math.max(0, num(usage.prompt_tokens) - cacheRead - cacheWrite),
    output_tokens: num(usage.completion_tokens),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** An id in Anthropic's `msg_` form (the upstream id kept inside it). */
export const messageIdOf = (id: string): string => (id.startsWith('msg_') ? id : `msg_${id}`);

/** A thinking block of the chat types as a Messages block (a signature the provider did not give is empty). */
export function thinkingBlockOf(block: ThinkingBlock): MessagesThinkingBlock | MessagesRedactedThinkingBlock {
  return block.type === 'thinking' ? { type: 'thinking', thinking: block.thinking, signature: block.signature ?? '' } : { type: 'redacted_thinking', data: block.data };
}

/** A tool call's arguments as the `input` object (arguments that are not a JSON object: `{}`). */
export function toolInputOf(call: ToolCall): Record<string, unknown> {
  try {
    const v = JSON.parse(call.function.arguments || '{}') as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* not JSON: below */
  }
  return {};
}

/**
 * A chat completion as the Messages answer: thinking first (signed blocks as the provider returned them, else
 * the reasoning text unsigned), then the text, then one `tool_use` block per tool call.
 */
export function toMessagesResponse(completion: ChatCompletion): MessagesResponse {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: MessagesOutputBlock[] = [];
  if (message?.thinking_blocks?.length) content.push(...message.thinking_blocks.map(thinkingBlockOf));
  else if (message?.reasoning_content) content.push({ type: 'thinking', thinking: message.reasoning_content, signature: '' });
  const text = message?.content ?? message?.refusal ?? '';
  if (text) content.push({ type: 'text', text });
  for (const call of message?.tool_calls ?? []) content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInputOf(call) });
  return {
    id: messageIdOf(completion.id),
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: stopReasonOf(choice?.finish_reason),
    stop_sequence: null,
    usage: messagesUsageOf(completion.usage),
  };
}
