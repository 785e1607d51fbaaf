import type { ThinkingBlock } from '@switchyard/types';

/**
 * Signed thinking (Claude's `thinking` and `redacted_thinking` blocks, the chat types' `thinking_blocks`) carried in
 * a reasoning item's `encrypted_content`, opaque to the client as OpenAI's is: sent back (by `previous_response_id`,
 * or with the item as input) it becomes the assistant message's `thinking_blocks` again, which the Claude APIs
 * require before a tool_use. A value the gateway did not write (e.g. OpenAI's own) is ignored.
 */
const PREFIX = 'sy-thinking.v1.';

export function encodeThinking(blocks: readonly ThinkingBlock[]): string {
  return PREFIX + Buffer.from(JSON.stringify(blocks)).toString('base64url');
}

export function decodeThinking(value: string | null | undefined): ThinkingBlock[] | null {
  if (!value?.startsWith(PREFIX)) return null;
  try {
    const blocks: unknown = JSON.parse(Buffer.from(value.slice(PREFIX.length), 'base64url').toString('utf8'));
    return Array.isArray(blocks) && blocks.every(isThinkingBlock) ? blocks : null;
  } catch {
    return null;
  }
}

function isThinkingBlock(b: unknown): b is ThinkingBlock {
  if (!b || typeof b !== 'object') return false;
  const block = b as Record<string, unknown>;
  if (block['type'] === 'thinking') return typeof block['thinking'] === 'string' && (block['signature'] === undefined || typeof block['signature'] === 'string');
  return block['type'] === 'redacted_thinking' && typeof block['data'] === 'string';
}
