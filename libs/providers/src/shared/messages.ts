import type { ChatMessage, ToolCall } from '@switchyard/types';
import { UnsupportedParameterError } from '../types';
import { contentParts, contentText } from './request';

/** One provider turn: `user` or the provider's assistant role, with its native blocks. */
export interface Turn<Block> {
  role: 'user' | 'assistant';
  blocks: Block[];
}

/** How a translated provider writes each kind of OpenAI message (Gemini, Bedrock). */
export interface TurnWriter<Block> {
  /** The blocks of a user message (text and images). */
  user(message: ChatMessage, index: number): Promise<Block[]>;
  /** The assistant's text block, then one block per tool call. */
  text(text: string): Block;
  toolCall(call: ToolCall, index: number, callIndex: number): Block;
  /** A tool message as the tool-result block that goes in the next user turn. */
  toolResult(message: ChatMessage, index: number): Block;
  /** Blocks that open an assistant turn, before its text and tool calls (Bedrock: the signed reasoning). */
  reasoning?(message: ChatMessage, index: number): Block[];
  /** Blocks that must lead a merged user turn (e.g. Bedrock's toolResult). */
  leads?(block: Block): boolean;
}

/**
 * The message walk every translated provider shares: system and developer messages lifted out as text,
 * the deprecated `function` role refused, empty turns dropped, consecutive same-role turns merged (tool
 * results then sit in the same user turn as the text that follows them).
 */
export async function convertTurns<Block>(messages: ChatMessage[], w: TurnWriter<Block>): Promise<{ system: string[]; turns: Turn<Block>[] }> {
  const system: string[] = [];
  const turns: Turn<Block>[] = [];
  for (const [i, m] of messages.entries()) {
    let turn: Turn<Block>;
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(contentText(m.content));
        continue;
      case 'user':
        turn = { role: 'user', blocks: await w.user(m, i) };
        break;
      case 'assistant': {
        const text = contentText(m.content);
        turn = { role: 'assistant', blocks: [...(w.reasoning?.(m, i) ?? []), ...(text ? [w.text(text)] : []), ...(m.tool_calls ?? []).map((c, j) => w.toolCall(c, i, j))] };
        break;
      }
      case 'tool':
        turn = { role: 'user', blocks: [w.toolResult(m, i)] };
        break;
      case 'function':
        throw new UnsupportedParameterError(`messages[${i}].role`, "The deprecated 'function' role is not supported; use tool messages.");
    }
    if (!turn.blocks.length) continue;
    const prev = turns[turns.length - 1];
    if (prev && prev.role === turn.role) {
      prev.blocks.push(...turn.blocks);
      if (w.leads) prev.blocks.sort((a, b) => Number(w.leads!(b)) - Number(w.leads!(a)));
    } else turns.push(turn);
  }
  return { system, turns };
}

/** A user message's parts through the provider's text and image writers; other part types are a 400. */
export async function convertUserParts<Block>(
  message: ChatMessage,
  index: number,
  provider: string,
  w: { text: (text: string) => Block; image: (url: string) => Block | Promise<Block>; cachePoint?: () => Block },
): Promise<Block[]> {
  const out: Block[] = [];
  for (const p of contentParts(message.content)) {
    if (p.type === 'text') out.push(w.text(String((p as { text: unknown }).text)));
    else if (p.type === 'image_url') out.push(await w.image((p as { image_url?: { url?: string } }).image_url?.url ?? ''));
    else throw new UnsupportedParameterError(`messages[${index}].content`, `Content part type '${p.type}' is not supported by ${provider}.`);
    if (w.cachePoint && hasCacheControl(p)) out.push(w.cachePoint());
  }
  return out;
}

/** Whether a content part carries an OpenAI-style prompt-cache marker (`cache_control: {type:'ephemeral'}`). */
export const hasCacheControl = (part: unknown): boolean => !!(part as { cache_control?: unknown } | null)?.cache_control;

/** A tool result that is a JSON object, as the object (providers with structured tool results); else null. */
export function toolResultObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
