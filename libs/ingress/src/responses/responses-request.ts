import { GATEWAY_BODY_EXTENSIONS, type ChatMessage, type ChatRequestBody, type ContentPart, type ResponseFormat, type ThinkingBlock, type ToolChoice } from '@switchyard/types';
import type { ResponsesRequest } from './responses-request.schema';
import type { ConversationItem, InputContentPart, InputImagePart, InputTextPart, TextFormat } from './responses.types';
import { decodeThinking } from './thinking-content';

/**
 * A Responses request as the chat completions body the pipeline runs: `instructions` first as a system
 * message, then the stored conversation of `previous_response_id` (`history`), then this request's input
 * items. The gateway's body extensions are carried over for `parseChatRequest` to take apart.
 */
export function toChatRequest(req: ResponsesRequest, history: readonly ConversationItem[] = []): ChatRequestBody {
  const messages: ChatMessage[] = [];
  if (req.instructions) messages.push({ role: 'system', content: req.instructions });
  messages.push(...toChatMessages([...history, ...req.input]));
  const chat: ChatRequestBody = { model: req.model, messages };
  if (req.stream) chat.stream = true;
  if (req.tools.length) {
    chat.tools = req.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description != null ? { description: t.description } : {}),
        ...(t.parameters != null ? { parameters: t.parameters } : {}),
        ...(t.strict != null ? { strict: t.strict } : {}),
      },
    }));
  }
  if (req.tool_choice !== undefined) chat.tool_choice = toChatToolChoice(req.tool_choice);
  if (req.parallel_tool_calls !== null && req.tools.length) chat.parallel_tool_calls = req.parallel_tool_calls;
  const format = req.text_format && toResponseFormat(req.text_format);
  if (format) chat.response_format = format;
  if (req.reasoning_effort) chat.reasoning_effort = req.reasoning_effort;
  if (req.max_output_tokens !== null) chat.max_completion_tokens = req.max_output_tokens;
  if (req.temperature !== null) chat.temperature = req.temperature;
  if (req.top_p !== null) chat.top_p = req.top_p;
  if (req.user !== undefined) chat.user = req.user;
  if (req.metadata) chat.metadata = req.metadata;
  for (const key of GATEWAY_BODY_EXTENSIONS) if (req[key] !== undefined) (chat as Record<string, unknown>)[key] = req[key];
  return chat;
}

function toChatToolChoice(choice: NonNullable<ResponsesRequest['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function toResponseFormat(format: TextFormat): ResponseFormat | undefined {
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      return {
        type: 'json_schema',
        json_schema: { name: format.name, schema: format.schema, ...(format.description ? { description: format.description } : {}), ...(format.strict != null ? { strict: format.strict } : {}) },
      };
  }
}

/**
 * Conversation items as chat messages. Consecutive `function_call` items (with the assistant message before
 * them, if any) become one assistant message with `tool_calls`; each `function_call_output` a `tool` message.
 * A reasoning item gives the next assistant message the signed thinking it carries (`thinking_blocks`); its
 * text is not sent back (the chat request has no place for it).
 */
export function toChatMessages(items: readonly ConversationItem[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let thinking: ThinkingBlock[] | null = null;
  const assistant = (content: string | null): ChatMessage => {
    const message: ChatMessage = { role: 'assistant', content, ...(thinking ? { thinking_blocks: thinking } : {}) };
    thinking = null;
    return message;
  };
  for (const item of items) {
    switch (item.type) {
      case 'message':
        out.push(item.role === 'assistant' ? assistant(textOf(item.content)) : { role: item.role, content: userContent(item.content) });
        break;
      case 'function_call': {
        const call = { id: item.call_id, type: 'function' as const, function: { name: item.name, arguments: item.arguments } };
        const last = out[out.length - 1];
        if (last?.role === 'assistant' && !thinking) (last.tool_calls ??= []).push(call);
        else out.push({ ...assistant(null), tool_calls: [call] });
        break;
      }
      case 'function_call_output':
        out.push({ role: 'tool', tool_call_id: item.call_id, content: typeof item.output === 'string' ? item.output : item.output.map(toChatPart) });
        break;
      case 'reasoning':
        thinking = decodeThinking(item.encrypted_content) ?? thinking;
        break;
    }
  }
  return out;
}

/** An assistant turn's text (its output_text and refusal parts joined). */
function textOf(content: string | InputContentPart[]): string {
  if (typeof content === 'string') return content;
  return content.map((p) => (p.type === 'refusal' ? p.refusal : 'text' in p ? p.text : '')).join('');
}

function userContent(content: string | InputContentPart[]): string | ContentPart[] {
  if (typeof content === 'string') return content;
  return content.map((p) => (p.type === 'input_image' ? toChatPart(p) : { type: 'text', text: p.type === 'refusal' ? p.refusal : p.text }));
}

function toChatPart(part: InputTextPart | InputImagePart): ContentPart {
  if (part.type === 'input_text') return { type: 'text', text: part.text };
  // The schema requires image_url; 'original' detail has no chat equivalent beyond 'high'.
  const detail = part.detail === 'original' ? 'high' : part.detail;
  return { type: 'image_url', image_url: { url: part.image_url ?? '', ...(detail ? { detail } : {}) } };
}
