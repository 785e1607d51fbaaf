import { randomBytes } from 'node:crypto';
import type { ChatCompletion, FinishReason, ThinkingBlock, Usage } from '@switchyard/types';
import type { ResponsesRequest } from './responses-request.schema';
import type { OutputItem, ReasoningItem, ResponseObject, ResponsesUsage } from './responses.types';
import { encodeThinking } from './thinking-content';

/** Ids in OpenAI's form: a prefix (`resp`, `msg`, `fc`, `rs`) and 48 hex digits. */
export type ItemIds = (prefix: 'resp' | 'msg' | 'fc' | 'rs') => string;
export const randomItemId: ItemIds = (prefix) => `${prefix}_${randomBytes(24).toString('hex')}`;

/** What every Response of one request shares: its id, its creation time and the request it echoes. */
export interface ResponseContext {
  id: string;
  /** Unix seconds. */
  createdAt: number;
  request: ResponsesRequest;
  ids: ItemIds;
}

/** The Response before any output: what `response.created` carries (status `in_progress`, `model` as asked until the answer names one). */
export function responseSkeleton(ctx: ResponseContext, model = ctx.request.model): ResponseObject {
  const r = ctx.request;
  return {
    id: ctx.id,
    object: 'response',
    created_at: ctx.createdAt,
    status: 'in_progress',
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: r.instructions,
    max_output_tokens: r.max_output_tokens,
    model,
    output: [],
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: r.previous_response_id,
    reasoning: { effort: r.reasoning_effort, summary: null },
    store: r.store,
    temperature: r.temperature ?? 1,
    text: { format: r.text_format ?? { type: 'text' } },
    tool_choice: r.tool_choice ?? 'auto',
    tools: r.tools.map((t) => ({ type: 'function', name: t.name, description: t.description ?? null, parameters: t.parameters ?? null, strict: t.strict ?? null })),
    top_p: r.top_p ?? 1,
    truncation: 'disabled',
    ...(r.user !== undefined ? { user: r.user } : {}),
    metadata: r.metadata ?? {},
  };
}

/** The finished Response: its status from the finish reason, its output items and usage. */
export function finishedResponse(ctx: ResponseContext, model: string, output: OutputItem[], finishReason: FinishReason | null, usage: Usage | null | undefined): ResponseObject {
  const incomplete = incompleteReason(finishReason);
  return {
    ...responseSkeleton(ctx, model),
    status: incomplete ? 'incomplete' : 'completed',
    completed_at: incomplete ? null : Math.floor(Date.now() / 1000),
    incomplete_details: incomplete ? { reason: incomplete } : null,
    output,
    ...(usage ? { usage: toResponsesUsage(usage) } : {}),
  };
}

/** A chat completion as the Response object: reasoning, then the assistant's message, then its function calls. */
export function toResponse(completion: ChatCompletion, ctx: ResponseContext): ResponseObject {
  const choice = completion.choices[0];
  const message = choice?.message;
  const status = incompleteReason(choice?.finish_reason ?? null) ? 'incomplete' : 'completed';
  const output: OutputItem[] = [];
  if (message?.reasoning_content || message?.thinking_blocks?.length) {
    output.push(reasoningItem(ctx.ids('rs'), message.reasoning_content ?? '', message.thinking_blocks ?? []));
  }
  const calls = message?.tool_calls ?? [];
  if (message?.refusal) {
    output.push({ type: 'message', id: ctx.ids('msg'), role: 'assistant', status, content: [{ type: 'refusal', refusal: message.refusal }] });
  } else if (message?.content || !calls.length) {
    output.push({ type: 'message', id: ctx.ids('msg'), role: 'assistant', status, content: [outputText(message?.content ?? '')] });
  }
  for (const call of calls) {
    output.push({ type: 'function_call', id: ctx.ids('fc'), call_id: call.id, name: call.function.name, arguments: call.function.arguments, status: 'completed' });
  }
  return finishedResponse(ctx, completion.model, output, choice?.finish_reason ?? null, completion.usage);
}

/** A reasoning item: the thinking text, and the signed thinking blocks (if any) in `encrypted_content`. */
export function reasoningItem(id: string, text: string, blocks: readonly ThinkingBlock[]): ReasoningItem {
  return { type: 'reasoning', id, summary: [], content: [{ type: 'reasoning_text', text }], ...(blocks.length ? { encrypted_content: encodeThinking(blocks) } : {}) };
}

export const outputText = (text: string) => ({ type: 'output_text' as const, text, annotations: [], logprobs: [] });

function incompleteReason(finish: FinishReason | null): 'max_output_tokens' | 'content_filter' | null {
  if (finish === 'length') return 'max_output_tokens';
  if (finish === 'content_filter') return 'content_filter';
  return null;
}

/** Chat usage in the Responses names (cached tokens inside the input, reasoning inside the output, as OpenAI counts them). */
export function toResponsesUsage(usage: Usage): ResponsesUsage {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: {
      cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? usage.cache_read_input_tokens ?? 0,
      cache_write_tokens: usage.cache_creation_input_tokens ?? 0,
    },
    output_tokens: usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  };
}
