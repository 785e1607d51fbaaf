import type { ChatMessage, ChatRequest, ContentPart } from '@switchyard/types';
import { UnsupportedParameterError, type AdapterContext } from '../types';

/** OpenAI chat parameters every translated provider handles (or rejects) explicitly; anything else passes through. */
const KNOWN = new Set([
  'model', 'messages', 'stream', 'stream_options', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format',
  'temperature', 'top_p', 'n', 'stop', 'max_tokens', 'max_completion_tokens', 'seed', 'logprobs', 'top_logprobs',
  'reasoning_effort', 'user', 'metadata', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'store',
  'service_tier', 'modalities', 'prediction', 'audio', 'web_search_options', 'functions', 'function_call', 'verbosity',
]);

/** Body fields the client sent that are not OpenAI parameters: merged into the provider's native body. */
export function passthroughFields(request: ChatRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(request)) if (!KNOWN.has(k) && v !== undefined) out[k] = v;
  return out;
}

const present = (v: unknown) => v !== undefined && v !== null && v !== false;

/** The standard parameters a translated provider cannot honour, given which it can. */
export function unsupportedParams(request: ChatRequest, supported: { n?: boolean; seed?: boolean; penalties?: boolean; logprobs?: boolean }): string[] {
  const out: string[] = [];
  if (present(request.n) && request.n !== 1 && !supported.n) out.push('n');
  if (present(request.seed) && !supported.seed) out.push('seed');
  if (!supported.logprobs) {
    if (request.logprobs) out.push('logprobs');
    if (present(request.top_logprobs)) out.push('top_logprobs');
  }
  if (!supported.penalties) {
    if (present(request['presence_penalty']) && request['presence_penalty'] !== 0) out.push('presence_penalty');
    if (present(request['frequency_penalty']) && request['frequency_penalty'] !== 0) out.push('frequency_penalty');
  }
  if (present(request['logit_bias']) && Object.keys(request['logit_bias'] as object).length) out.push('logit_bias');
  if (present(request['audio'])) out.push('audio');
  if (present(request['prediction'])) out.push('prediction');
  if (Array.isArray(request['modalities']) && (request['modalities'] as string[]).some((m) => m !== 'text')) out.push('modalities');
  return out;
}

/** Throws a 400 naming the first unsupported parameter, unless the request asked to drop them. */
export function rejectUnsupported(params: string[], provider: string, ctx: AdapterContext): void {
  if (!params.length || ctx.dropUnsupported) return;
  const p = params[0]!;
  throw new UnsupportedParameterError(p, `'${p}' is not supported by ${provider}. Send x-gateway-drop-unsupported: true to drop it.`);
}

/** max_completion_tokens, else max_tokens, else undefined. */
export function requestedMaxTokens(request: ChatRequest): number | undefined {
  const v = request.max_completion_tokens ?? request.max_tokens;
  return typeof v === 'number' ? v : undefined;
}

export function stopSequences(request: ChatRequest): string[] | undefined {
  if (request.stop === undefined || request.stop === null) return undefined;
  const list = Array.isArray(request.stop) ? request.stop : [request.stop];
  return list.length ? list : undefined;
}

/** The text of a message's content (text parts joined), for system prompts and tool results. */
export function contentText(content: ChatMessage['content']): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return content
    .filter((p): p is ContentPart & { type: 'text'; text: string } => p.type === 'text' && typeof (p as { text?: unknown }).text === 'string')
    .map((p) => p.text)
    .join('');
}

/** Content as a list of parts (a string becomes one text part). */
export function contentParts(content: ChatMessage['content']): ContentPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content;
}

/** Parses tool call arguments (an object is required by every translated provider). */
export function parseToolArguments(args: string, where: string): Record<string, unknown> {
  if (!args || !args.trim()) return {};
  try {
    const v = JSON.parse(args) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new UnsupportedParameterError(where, `${where}: tool call arguments must be a JSON object.`);
}

/** The OpenAI json_schema response format, if any. */
export function jsonSchemaFormat(request: ChatRequest): { name: string; description?: string; schema: Record<string, unknown> } | null {
  const rf = request.response_format;
  if (!rf || rf.type !== 'json_schema') return null;
  return { name: rf.json_schema.name, description: rf.json_schema.description, schema: rf.json_schema.schema ?? { type: 'object' } };
}

/** Reasoning effort as a thinking-token budget (Anthropic, Bedrock-Claude, Gemini). */
export const THINKING_BUDGET: Record<'minimal' | 'low' | 'medium' | 'high', number> = { minimal: 1024, low: 2048, medium: 8192, high: 24576 };

const isPlain = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Merges pass-through fields into a native body (objects merged one level deep, e.g. generationConfig). */
export function mergeNative(body: Record<string, unknown>, extras: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(extras)) body[k] = isPlain(body[k]) && isPlain(v) ? { ...body[k], ...v } : v;
  return body;
}
