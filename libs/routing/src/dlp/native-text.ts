import { bedrockUsageEvents, SseDecoder, type UsageEventDecoder } from '@switchyard/providers';
import type { ProviderId } from '@switchyard/types';
import type { TextSlot } from './dlp-text';

type Obj = Record<string, unknown>;
type Shape = (body: Obj, slots: TextSlot[]) => void;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const items = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** `holder[key]` when it is a string. */
function field(slots: TextSlot[], holder: Obj, key: string): void {
  const value = holder[key];
  if (typeof value === 'string') slots.push({ text: value, set: (t) => (holder[key] = t) });
}

/** A content value: a string, or parts whose `text` is read (and, nested, a tool result's own content). */
function content(slots: TextSlot[], holder: Obj, key: string): void {
  if (typeof holder[key] === 'string') return field(slots, holder, key);
  for (const part of items(holder[key])) {
    field(slots, part, 'text');
    if (part['type'] === 'tool_result') content(slots, part, 'content');
  }
}

/** OpenAI chat completions (and every provider of its family): message contents and tool-call arguments. */
const openAIChat: Shape = (body, slots) => {
  for (const m of items(body['messages'])) {
    content(slots, m, 'content');
    for (const call of items(m['tool_calls'])) if (isObj(call['function'])) field(slots, call['function'], 'arguments');
  }
};

/** OpenAI Responses: instructions, the input (a string, or items: their content parts, function arguments and outputs). */
const responses: Shape = (body, slots) => {
  field(slots, body, 'instructions');
  if (typeof body['input'] === 'string') return field(slots, body, 'input');
  for (const item of items(body['input'])) {
    content(slots, item, 'content');
    field(slots, item, 'arguments');
    field(slots, item, 'output');
  }
};

/** OpenAI embeddings: the input string or strings (token arrays are not text). */
const embeddings: Shape = (body, slots) => {
  const input = body['input'];
  if (typeof input === 'string') return field(slots, body, 'input');
  if (Array.isArray(input)) input.forEach((v, i) => typeof v === 'string' && slots.push({ text: v, set: (t) => (input[i] = t) }));
};

/** Anthropic Messages (also Claude on Vertex and Bedrock's InvokeModel): the system prompt and message contents. */
const messages: Shape = (body, slots) => {
  content(slots, body, 'system');
  for (const m of items(body['messages'])) content(slots, m, 'content');
};

/** Gemini generateContent (AI Studio and Vertex): the contents' and the system instruction's text parts. */
const gemini: Shape = (body, slots) => {
  for (const c of [...items(body['contents']), ...items([body['systemInstruction'], body['system_instruction']])]) for (const p of items(c['parts'])) field(slots, p, 'text');
};

/** Bedrock Converse: the messages' and the system prompt's text blocks. */
const converse: Shape = (body, slots) => {
  for (const m of items(body['messages'])) for (const block of items(m['content'])) field(slots, block, 'text');
  for (const block of items(body['system'])) field(slots, block, 'text');
};

const GOOGLE_CONTENT = /:(generateContent|streamGenerateContent|countTokens)$/;

/** The request shape of a provider path (null: one DLP does not know). */
function shapeOf(provider: ProviderId, path: string, body: Obj): Shape | null {
  const p = path.split('?')[0]!;
  switch (provider) {
    case 'anthropic':
      return /\/v1\/messages(\/count_tokens)?$/.test(p) ? messages : null;
    case 'google-ai-studio':
      return GOOGLE_CONTENT.test(p) ? gemini : null;
    case 'google-vertex':
      if (GOOGLE_CONTENT.test(p)) return gemini;
      return /\/publishers\/anthropic\/models\/[^/]+:(rawPredict|streamRawPredict)$/.test(p) ? messages : null;
    case 'aws-bedrock':
      if (/\/(converse|converse-stream)$/.test(p)) return converse;
      return /\/(invoke|invoke-with-response-stream)$/.test(p) && typeof body['anthropic_version'] === 'string' ? messages : null;
    default:
      if (p.endsWith('/chat/completions')) return openAIChat;
      if (p.endsWith('/responses')) return responses;
      return p.endsWith('/embeddings') ? embeddings : null;
  }
}

/**
 * The texts DLP reads in a provider-native request body, each with how to put a redacted version in its place (in
 * `body`: pass a copy to redact); null when the body's shape is not one DLP knows (OpenAI chat, Responses and
 * embeddings; Anthropic Messages; Gemini generateContent; Bedrock Converse; Claude on Vertex and Bedrock InvokeModel).
 */
export function nativeRequestSlots(provider: ProviderId, path: string, body: Obj): TextSlot[] | null {
  const shape = shapeOf(provider, path, body);
  if (!shape) return null;
  const slots: TextSlot[] = [];
  shape(body, slots);
  return slots;
}

/** The keys whose string values are an answer's text in any provider's JSON or events (content, deltas, tool arguments). */
const ANSWER_KEYS = new Set(['text', 'content', 'arguments', 'refusal', 'partial_json', 'delta', 'output']);

/** The strings of a provider's JSON answer (or event) under its text keys, in order. */
export function answerTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) answerTexts(v, out);
  else if (isObj(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string') {
        if (ANSWER_KEYS.has(key)) out.push(v);
      } else answerTexts(v, out);
    }
  }
  return out;
}

/**
 * The text of a provider's streamed answer, whole (its fragments joined, so that a value split across events is
 * found): SSE events, AWS event-stream frames (Bedrock), or a JSON array (Gemini without `alt=sse`).
 */
export function streamText(contentType: string, bytes: Buffer): string {
  const events: UsageEventDecoder | null = contentType.includes('amazon.eventstream') ? bedrockUsageEvents() : contentType.includes('event-stream') ? new SseDecoder() : null;
  if (!events) return answerTexts(parsed(bytes.toString('utf8'))).join('');
  const out: string[] = [];
  for (const e of events.push(bytes)) answerTexts(parsed(e.data), out);
  if (events instanceof SseDecoder) for (const e of events.end()) answerTexts(parsed(e.data), out);
  return out.join('');
}

function parsed(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return null;
  }
}
