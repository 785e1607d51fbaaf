import type { ChatMessage, ThinkingBlock } from '@switchyard/types';
import { UnsupportedParameterError } from '../types';

/**
 * The `thinking_blocks` of an assistant message (as the gateway returned them), checked: each a
 * `{type:'thinking', thinking, signature}` or `{type:'redacted_thinking', data}`. Absent: [].
 */
export function thinkingBlocksOf(message: ChatMessage, i: number): ThinkingBlock[] {
  const raw = message['thinking_blocks'];
  if (raw === undefined || raw === null) return [];
  const where = `messages[${i}].thinking_blocks`;
  if (!Array.isArray(raw)) throw new UnsupportedParameterError(where, `${where} must be an array of thinking blocks.`);
  return raw.map((b: unknown, j) => {
    const block = (b ?? {}) as Record<string, unknown>;
    if (block['type'] === 'thinking' && typeof block['thinking'] === 'string' && (block['signature'] === undefined || typeof block['signature'] === 'string')) {
      return { type: 'thinking', thinking: block['thinking'], ...(block['signature'] !== undefined ? { signature: block['signature'] as string } : {}) };
    }
    if (block['type'] === 'redacted_thinking' && typeof block['data'] === 'string') return { type: 'redacted_thinking', data: block['data'] };
    throw new UnsupportedParameterError(`${where}[${j}]`, `${where}[${j}] must be {type:'thinking', thinking, signature} or {type:'redacted_thinking', data}.`);
  });
}
