import type { ChatMessage, ChatRequest, ContentPart } from '@switchyard/types';
import { parseDataUrl } from '../shared/images';
import { thinkingBlocksOf } from '../shared/thinking';
import { plainToolCallId } from '../shared/tool-call-ids';
import {
  contentParts,
  contentText,
  jsonSchemaFormat,
  parseToolArguments,
  mergeNative,
  passthroughFields,
  rejectUnsupported,
  requestedMaxTokens,
  stopSequences,
  THINKING_BUDGET,
  unsupportedParams,
} from '../shared/request';
import { UnsupportedParameterError, type AdapterContext } from '../types';
import { JSON_TOOL_NAME, type AnthropicContentBlock, type AnthropicMessage, type AnthropicTextBlock } from './types';

/** max_tokens when neither the request nor the catalog gives one. */
export function defaultMaxTokens(model: string): number {
  if (/claude-3-(opus|sonnet|haiku)-2024/.test(model) || /claude-3-haiku/.test(model)) return 4096;
  if (/claude-(opus|sonnet)-4|claude-3-7|claude-sonnet-4|claude-opus-4/.test(model)) return 16384;
  return 8192;
}

function imageBlock(part: ContentPart): AnthropicContentBlock {
  const url = (part as { image_url?: { url?: string } }).image_url?.url ?? '';
  const data = parseDataUrl(url);
  const block: AnthropicContentBlock = data
    ? { type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.data } }
    : { type: 'image', source: { type: 'url', url } };
  if ((part as { cache_control?: unknown }).cache_control) block.cache_control = (part as { cache_control?: unknown }).cache_control;
  return block;
}

function userBlocks(message: ChatMessage, i: number): string | AnthropicContentBlock[] {
  if (typeof message.content === 'string') return message.content;
  return contentParts(message.content).map((part) => {
    if (part.type === 'text') {
      const block: AnthropicTextBlock = { type: 'text', text: String((part as { text: unknown }).text) };
      if ((part as { cache_control?: unknown }).cache_control) block.cache_control = (part as { cache_control?: unknown }).cache_control;
      return block;
    }
    if (part.type === 'image_url') return imageBlock(part);
    throw new UnsupportedParameterError(`messages[${i}].content`, `Content part type '${part.type}' is not supported by Anthropic.`);
  });
}

/** Thinking blocks (signed or redacted) go back first, unchanged, as the API requires before a tool_use. */
function assistantBlocks(message: ChatMessage, i: number): string | AnthropicContentBlock[] {
  const text = contentText(message.content);
  const thinking: AnthropicContentBlock[] = thinkingBlocksOf(message, i);
  if (!message.tool_calls?.length) {
    if (!thinking.length) return typeof message.content === 'string' ? message.content : [{ type: 'text', text }];
    return [...thinking, ...(text ? [{ type: 'text', text } as AnthropicContentBlock] : [])];
  }
  const blocks: AnthropicContentBlock[] = [...thinking, ...(text ? [{ type: 'text', text } as AnthropicContentBlock] : [])];
  for (const call of message.tool_calls) {
    blocks.push({ type: 'tool_use', id: plainToolCallId(call.id), name: call.function.name, input: parseToolArguments(call.function.arguments, `messages[${i}].tool_calls`) });
  }
  return blocks;
}

function toolResultBlock(message: ChatMessage): AnthropicContentBlock {
  const content =
    typeof message.content === 'string'
      ? message.content
      : contentParts(message.content).map((p) => (p.type === 'image_url' ? imageBlock(p) : ({ type: 'text', text: String((p as { text?: unknown }).text ?? '') } as AnthropicContentBlock)));
  return { type: 'tool_result', tool_use_id: plainToolCallId(String(message.tool_call_id ?? '')), content };
}

const asBlocks = (c: string | AnthropicContentBlock[]): AnthropicContentBlock[] => (typeof c === 'string' ? (c === '' ? [] : [{ type: 'text', text: c }]) : c);

/** System messages lifted to `system`; the rest converted and consecutive same-role messages merged. */
export function convertMessages(messages: ChatMessage[]): { system: AnthropicTextBlock[]; messages: AnthropicMessage[] } {
  const system: AnthropicTextBlock[] = [];
  const out: AnthropicMessage[] = [];
  messages.forEach((m, i) => {
    let converted: AnthropicMessage;
    switch (m.role) {
      case 'system':
      case 'developer':
        for (const p of contentParts(m.content)) {
          if (p.type !== 'text') throw new UnsupportedParameterError(`messages[${i}].content`, 'System messages may contain only text.');
          const block: AnthropicTextBlock = { type: 'text', text: String((p as { text: unknown }).text) };
          if ((p as { cache_control?: unknown }).cache_control) block.cache_control = (p as { cache_control?: unknown }).cache_control;
          system.push(block);
        }
        return;
      case 'user':
        converted = { role: 'user', content: userBlocks(m, i) };
        break;
      case 'assistant':
        converted = { role: 'assistant', content: assistantBlocks(m, i) };
        break;
      case 'tool':
        converted = { role: 'user', content: [toolResultBlock(m)] };
        break;
      case 'function':
        throw new UnsupportedParameterError(`messages[${i}].role`, "The deprecated 'function' role is not supported; use tool messages.");
    }
    const prev = out[out.length - 1];
    if (prev && prev.role === converted.role) {
      const merged = [...asBlocks(prev.content), ...asBlocks(converted.content)];
      // tool_result blocks must come first in a user turn.
      merged.sort((a, b) => Number(b.type === 'tool_result') - Number(a.type === 'tool_result'));
      prev.content = merged;
    } else out.push(converted);
  });
  return { system, messages: out };
}

/** Builds the Messages API body (without `model` for Vertex, which names the model in the URL). */
export function buildAnthropicBody(request: ChatRequest, ctx: AdapterContext, provider = 'Anthropic'): Record<string, unknown> {
  rejectUnsupported(unsupportedParams(request, {}), provider, ctx);
  const { system, messages } = convertMessages(request.messages);
  const model = ctx.target.upstreamModel;
  const explicitMax = requestedMaxTokens(request);
  let maxTokens = explicitMax ?? ctx.maxOutputTokens ?? defaultMaxTokens(model);
  const body: Record<string, unknown> = { model, messages };

  if (request.reasoning_effort) {
    let budget = THINKING_BUDGET[request.reasoning_effort];
    if (explicitMax !== undefined) {
      // OpenAI counts reasoning inside max_completion_tokens: the budget must fit under it.
      budget = Math.min(budget, explicitMax - 1);
      if (budget < 1024) throw new UnsupportedParameterError('reasoning_effort', 'Extended thinking needs max_tokens above 1024 on Anthropic.');
    } else if (maxTokens <= budget) maxTokens = budget + Math.min(8192, maxTokens);
    body['thinking'] = { type: 'enabled', budget_tokens: budget };
  }
  body['max_tokens'] = maxTokens;
  if (system.length) body['system'] = system.every((b) => !b.cache_control) ? system.map((b) => b.text).join('\n\n') : system;
  if (request.temperature !== undefined && request.temperature !== null) body['temperature'] = request.temperature;
  if (request.top_p !== undefined && request.top_p !== null) body['top_p'] = request.top_p;
  const stops = stopSequences(request);
  if (stops) body['stop_sequences'] = stops;
  if (request.user) body['metadata'] = { user_id: request.user };

  const tools: Record<string, unknown>[] = (request.tools ?? []).map((t) => ({
    name: t.function.name,
    ...(t.function.description ? { description: t.function.description } : {}),
    input_schema: t.function.parameters ?? { type: 'object', properties: {} },
  }));
  let toolChoice: Record<string, unknown> | undefined;
  const tc = request.tool_choice;
  if (tc === 'auto') toolChoice = { type: 'auto' };
  else if (tc === 'required') toolChoice = { type: 'any' };
  else if (tc === 'none') toolChoice = { type: 'none' };
  else if (tc && typeof tc === 'object') toolChoice = { type: 'tool', name: tc.function.name };

  // response_format json_schema: a forced tool whose input is the answer (works on every Claude model;
  // the response is turned back into message content). json_object: an instruction in the system prompt.
  const schema = jsonSchemaFormat(request);
  if (schema) {
    if (request.reasoning_effort) throw new UnsupportedParameterError('response_format', 'Anthropic cannot force structured output while extended thinking is on.');
    tools.push({ name: JSON_TOOL_NAME, description: schema.description ?? `Respond with the ${schema.name} JSON object.`, input_schema: schema.schema });
    toolChoice = tools.length > 1 && tc !== 'none' ? { type: 'any' } : { type: 'tool', name: JSON_TOOL_NAME };
  } else if (request.response_format?.type === 'json_object') {
    const hint = 'Respond only with a valid JSON object.';
    body['system'] = body['system'] === undefined ? hint : typeof body['system'] === 'string' ? `${body['system']}\n\n${hint}` : [...system, { type: 'text', text: hint }];
  }
  if (tools.length) {
    body['tools'] = tools;
    if (request.parallel_tool_calls === false && (toolChoice?.['type'] ?? 'auto') !== 'none') toolChoice = { ...(toolChoice ?? { type: 'auto' }), disable_parallel_tool_use: true };
    if (toolChoice) body['tool_choice'] = toolChoice;
  }
  if (ctx.stream) body['stream'] = true;
  return mergeNative(body, passthroughFields(request));
}
