import type { ChatCompletion, ChatMessage, ChatRequest, ContentPart } from '@switchyard/types';

/** A text DLP scans, and how to put a redacted version in its place. */
export interface TextSlot {
  text: string;
  set(text: string): void;
}

/**
 * The texts of a request that DLP scans: message text (string content and `text` parts) and tool-call
 * arguments; nothing else (no images, no base64, no URLs). `set` writes into `messages`, which the caller
 * passes as a copy when it means to redact.
 */
export function requestSlots(messages: ChatMessage[]): TextSlot[] {
  const slots: TextSlot[] = [];
  for (const m of messages) {
    if (typeof m.content === 'string') slots.push({ text: m.content, set: (t) => (m.content = t) });
    else if (Array.isArray(m.content)) {
      for (const part of m.content) if (isText(part)) slots.push({ text: part.text, set: (t) => (part.text = t) });
    }
    for (const call of m.tool_calls ?? []) slots.push({ text: call.function.arguments, set: (t) => (call.function.arguments = t) });
  }
  return slots;
}

const isText = (p: ContentPart): p is { type: 'text'; text: string } => p.type === 'text' && typeof (p as { text?: unknown }).text === 'string';

/** A copy of the request's messages deep enough to redact their texts without touching the caller's. */
export function copyMessages(request: ChatRequest): ChatMessage[] {
  return request.messages.map((m) => ({
    ...m,
    ...(Array.isArray(m.content) ? { content: m.content.map((p) => ({ ...p })) } : {}),
    ...(m.tool_calls ? { tool_calls: m.tool_calls.map((c) => ({ ...c, function: { ...c.function } })) } : {}),
  }));
}

/** The texts of an answer DLP scans: each choice's content, refusal and tool-call arguments. */
export function completionTexts(completion: ChatCompletion): string[] {
  const texts: string[] = [];
  for (const c of completion.choices) {
    const { content, refusal, tool_calls: calls } = c.message;
    if (typeof content === 'string') texts.push(content);
    if (typeof refusal === 'string') texts.push(refusal);
    for (const call of calls ?? []) texts.push(call.function.arguments);
  }
  return texts;
}
