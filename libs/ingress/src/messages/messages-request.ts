import { z } from 'zod';
import {
  chatRequestSchema,
  GATEWAY_BODY_EXTENSIONS,
  invalidRequest,
  zodToGatewayError,
  type ChatMessage,
  type ChatRequest,
  type ContentPart,
  type GatewayBodyExtensions,
  type ReasoningEffort,
  type ThinkingBlock,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
} from '@switchyard/types';
import type { MessagesImageBlock, MessagesTextBlock } from './types';

/**
 * Validation of `POST /v1/messages` bodies (and `/v1/messages/count_tokens`): the Messages API fields the
 * translated path carries, strict on the top level (an unknown field is a 400 naming it, as Anthropic answers),
 * loose inside blocks. The gateway's own body extensions (`fallback_models`, `retry_params`, …) are accepted as
 * on chat completions.
 */
const cacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.string().optional() }).loose().nullable().optional();
const textBlock = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl }).loose();
const imageBlock = z
  .object({
    type: z.literal('image'),
    source: z.discriminatedUnion('type', [
      z.object({ type: z.literal('base64'), media_type: z.string().regex(/^image\/[a-z0-9.+-]+$/i, 'must be an image media type'), data: z.string().min(1) }).loose(),
      z.object({ type: z.literal('url'), url: z.string().regex(/^https?:\/\//i, 'must be an http(s) URL') }).loose(),
    ]),
    cache_control: cacheControl,
  })
  .loose();
const toolUseBlock = z
  .object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()), cache_control: cacheControl })
  .loose();
const toolResultBlock = z
  .object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().min(1),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]).optional(),
    is_error: z.boolean().optional(),
    cache_control: cacheControl,
  })
  .loose();
const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() }).loose();
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() }).loose();
const contentBlock = z.discriminatedUnion('type', [textBlock, imageBlock, toolUseBlock, toolResultBlock, thinkingBlock, redactedThinkingBlock]);

const conversationMessage = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlock)]),
});
/** A system message between the turns (Anthropic's `mid-conversation-system` beta, which Claude Code sends): text only. */
const systemTurn = z.object({ role: z.literal('system'), content: z.union([z.string(), z.array(textBlock)]) });
const message = z.discriminatedUnion('role', [conversationMessage, systemTurn]);

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
const tool = z
  .object({
    type: z.string().optional(),
    name: z.string().regex(TOOL_NAME, 'must be 1-128 letters, digits, underscores or dashes'),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().optional(),
    cache_control: cacheControl,
  })
  .loose();

const parallel = { disable_parallel_tool_use: z.boolean().optional() };
const toolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), ...parallel }),
  z.object({ type: z.literal('any'), ...parallel }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), ...parallel }),
  z.object({ type: z.literal('none') }),
]);

const thinking = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1024, 'must be at least 1024') }).loose(),
  z.object({ type: z.literal('disabled') }).loose(),
  z.object({ type: z.literal('adaptive') }).loose(),
]);

const extensionShape = Object.fromEntries(GATEWAY_BODY_EXTENSIONS.map((k) => [k, chatRequestSchema.shape[k]])) as {
  [K in (typeof GATEWAY_BODY_EXTENSIONS)[number]]: (typeof chatRequestSchema.shape)[K];
};

const messagesFields = {
  model: z.string().min(1, 'is required').max(512),
  messages: z.array(message).min(1, 'must contain at least one message'),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  max_tokens: z.number().int().min(1),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stop_sequences: z.array(z.string()).optional(),
  metadata: z.object({ user_id: z.string().max(512).nullable().optional() }).loose().optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
  output_config: z
    .object({
      effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
      format: z.object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) }).loose().nullable().optional(),
    })
    .optional(),
  // Accepted and not acted on by the translated path (docs/endpoints.md): they tune Anthropic's own serving
  // (tier, region, speed, diagnostics, automatic caching, server-side context editing, which Claude Code sends).
  service_tier: z.enum(['auto', 'standard_only']).optional(),
  inference_geo: z.string().nullable().optional(),
  speed: z.enum(['standard', 'fast']).nullable().optional(),
  diagnostics: z.unknown().optional(),
  cache_control: cacheControl,
  context_management: z.unknown().optional(),
  ...extensionShape,
};

const messagesRequestSchema = z.strictObject(messagesFields);
const countTokensSchema = z.strictObject({ ...messagesFields, max_tokens: messagesFields.max_tokens.optional() });

export type MessagesRequestBody = z.output<typeof messagesRequestSchema>;
type MessagesMessageBody = z.output<typeof conversationMessage>;

/** What a Messages body becomes: the pipeline's chat request, and the gateway's own body fields for the controls. */
export interface TranslatedMessagesRequest {
  request: ChatRequest;
  extensions: GatewayBodyExtensions;
}

/** Effort per thinking budget: the inverse of the providers' THINKING_BUDGET (low 2048, medium 8192, high 24576). */
export function effortForBudget(budgetTokens: number): ReasoningEffort {
  if (budgetTokens <= 2048) return 'low';
  if (budgetTokens <= 8192) return 'medium';
  return 'high';
}

const EFFORT: Record<'low' | 'medium' | 'high' | 'xhigh' | 'max', ReasoningEffort> = { low: 'low', medium: 'medium', high: 'high', xhigh: 'high', max: 'high' };

/**
 * Stage 2 for `POST /v1/messages`: validates the body once (a 400 naming the field) and translates it to the
 * chat request the pipeline runs. Pure; throws GatewayErrors (the edge writes them in Anthropic's shape).
 */
export function parseMessagesRequest(body: unknown): TranslatedMessagesRequest {
  return translate(validated(messagesRequestSchema, body));
}

/** The same for `POST /v1/messages/count_tokens`, where `max_tokens` is not required. */
export function parseCountTokensRequest(body: unknown): ChatRequest {
  return translate(validated(countTokensSchema, body) as MessagesRequestBody).request;
}

function validated<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw zodToGatewayError(new z.ZodError(parsed.error.issues.slice(0, 1).map(innermost)));
  return parsed.data;
}

/**
 * The issue to report: inside a union (content as a string or blocks), the issue of the alternative that got
 * furthest, with its full path, so that a bad block is named (`messages[0].content[1].type`), not its message.
 */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  const firsts = issue.errors.flatMap((alternative) => alternative.slice(0, 1));
  if (!firsts.length) return issue;
  const deepest = firsts.reduce((a, b) => (b.path.length > a.path.length ? b : a));
  return innermost({ ...deepest, path: [...issue.path, ...deepest.path] });
}

function translate(body: MessagesRequestBody): TranslatedMessagesRequest {
  const messages: ChatMessage[] = [];
  if (body.system !== undefined) messages.push(systemMessage(body.system));
  body.messages.forEach((m, i) => {
    if (m.role === 'system') messages.push(systemMessage(m.content));
    else messages.push(...(m.role === 'user' ? userMessages(m, i) : [assistantMessage(m)]));
  });

  const request: ChatRequest = { model: body.model, messages };
  if (body.stream) request.stream = true;
  if (body.max_tokens !== undefined) request.max_tokens = body.max_tokens;
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.top_p = body.top_p;
  // The chat types have no top_k: it rides as a body field the provider adapter merges into its native body
  // (Anthropic's top_k; providers without it refuse it).
  if (body.top_k !== undefined) request['top_k'] = body.top_k;
  if (body.stop_sequences?.length) request.stop = body.stop_sequences;
  if (body.metadata?.user_id) request.user = body.metadata.user_id;

  if (body.tools?.length) request.tools = body.tools.map(toolDefinition);
  const tc = body.tool_choice;
  if (tc) {
    if (tc.type === 'tool' && !body.tools?.some((t) => t.name === tc.name)) throw invalidRequest(`tool_choice names the tool '${tc.name}', which is not in tools.`, 'tool_choice.name');
    request.tool_choice = toolChoiceOf(tc);
    if (tc.type !== 'none' && tc.disable_parallel_tool_use && body.tools?.length) request.parallel_tool_calls = false;
  }
  const effort = body.output_config?.effort ? EFFORT[body.output_config.effort] : reasoningEffortOf(body.thinking);
  if (effort) request.reasoning_effort = effort;
  if (body.output_config?.format) request.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: body.output_config.format.schema } };

  const extensions: GatewayBodyExtensions = {};
  for (const key of GATEWAY_BODY_EXTENSIONS) if (body[key] !== undefined) (extensions as Record<string, unknown>)[key] = body[key];
  return { request, extensions };
}

function reasoningEffortOf(thinking: MessagesRequestBody['thinking']): ReasoningEffort | null {
  switch (thinking?.type) {
    case 'enabled':
      return effortForBudget(thinking.budget_tokens);
    case 'adaptive':
      return 'medium';
    case 'disabled':
    case undefined:
      return null;
  }
}

function systemMessage(system: string | MessagesTextBlock[]): ChatMessage {
  if (typeof system === 'string') return { role: 'system', content: system };
  // Blocks marked for prompt caching stay parts (Claude-capable adapters keep the marks); else one text.
  if (system.some((b) => b.cache_control)) return { role: 'system', content: system.map(textPart) };
  return { role: 'system', content: system.map((b) => b.text).join('\n\n') };
}

function textPart(block: MessagesTextBlock): ContentPart {
  return block.cache_control ? { type: 'text', text: block.text, cache_control: block.cache_control } : { type: 'text', text: block.text };
}

function imagePart(block: MessagesImageBlock): ContentPart {
  const url = block.source.type === 'base64' ? `data:${block.source.media_type};base64,${block.source.data}` : block.source.url;
  return block.cache_control ? { type: 'image_url', image_url: { url }, cache_control: block.cache_control } : { type: 'image_url', image_url: { url } };
}

/**
 * A user turn: its tool results first, each a `tool` message (they answer the previous assistant turn's calls,
 * and chat wants them right after it), then the rest as one user message.
 */
function userMessages(m: MessagesMessageBody, i: number): ChatMessage[] {
  if (typeof m.content === 'string') return [{ role: 'user', content: m.content }];
  const out: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  m.content.forEach((block, j) => {
    switch (block.type) {
      case 'tool_result':
        out.push({ role: 'tool', tool_call_id: block.tool_use_id, content: toolResultContent(block.content, block.is_error === true) });
        break;
      case 'text':
        parts.push(textPart(block));
        break;
      case 'image':
        parts.push(imagePart(block));
        break;
      case 'tool_use':
      case 'thinking':
      case 'redacted_thinking':
        throw invalidRequest(`messages[${i}].content[${j}]: a '${block.type}' block belongs in an assistant message.`, `messages[${i}].content[${j}].type`);
    }
  });
  if (parts.length) out.push({ role: 'user', content: parts });
  return out;
}

/** A tool result as chat carries it: text alone as a string, else parts; an error result says so in its text. */
function toolResultContent(content: string | (MessagesTextBlock | MessagesImageBlock)[] | undefined, isError: boolean): string | ContentPart[] {
  const prefix = isError ? 'Error: ' : '';
  if (content === undefined || typeof content === 'string') return prefix + (content ?? '');
  if (content.every((b) => b.type === 'text')) return prefix + content.map((b) => (b as MessagesTextBlock).text).join('\n');
  const parts = content.map((b) => (b.type === 'text' ? textPart(b) : imagePart(b)));
  return isError ? [{ type: 'text', text: 'Error:' }, ...parts] : parts;
}

/**
 * An assistant turn: text joined, tool_use blocks as tool calls, signed thinking blocks as `thinking_blocks`
 * (sent back unchanged to Claude-capable providers, dropped by the others). Unsigned thinking (what a
 * provider without signatures produced through this endpoint) is dropped: no Claude API would accept it.
 */
function assistantMessage(m: MessagesMessageBody): ChatMessage {
  if (typeof m.content === 'string') return { role: 'assistant', content: m.content };
  let text = '';
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  for (const block of m.content) {
    switch (block.type) {
      case 'text':
        text += block.text;
        break;
      case 'tool_use':
        toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input) } });
        break;
      case 'thinking':
        if (block.signature) thinkingBlocks.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
        break;
      case 'redacted_thinking':
        thinkingBlocks.push({ type: 'redacted_thinking', data: block.data });
        break;
      case 'image':
      case 'tool_result':
        throw invalidRequest(`An assistant message may not contain a '${block.type}' block.`, 'messages');
    }
  }
  const out: ChatMessage = { role: 'assistant', content: text || (toolCalls.length ? null : '') };
  if (toolCalls.length) out.tool_calls = toolCalls;
  if (thinkingBlocks.length) out['thinking_blocks'] = thinkingBlocks;
  return out;
}

function toolDefinition(t: NonNullable<MessagesRequestBody['tools']>[number], i: number): ToolDefinition {
  if (t.type !== undefined && t.type !== 'custom') {
    throw invalidRequest(`tools[${i}]: '${t.type}' is one of Anthropic's own tools, which a model not served by Anthropic cannot run; define it as a custom tool with an input_schema.`, `tools[${i}].type`);
  }
  const fn: ToolDefinition['function'] = { name: t.name, parameters: t.input_schema ?? { type: 'object', properties: {} } };
  if (t.description !== undefined) fn.description = t.description;
  if (t.strict !== undefined) fn.strict = t.strict;
  return { type: 'function', function: fn };
}

function toolChoiceOf(tc: NonNullable<MessagesRequestBody['tool_choice']>): ToolChoice {
  switch (tc.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'tool':
      return { type: 'function', function: { name: tc.name } };
    case 'none':
      return 'none';
  }
}
