import type { ChatCompletionChunk, FinishReason, ThinkingBlock, Usage } from '@switchyard/types';
import { finishedResponse, outputText, reasoningItem, responseSkeleton, type ResponseContext } from './responses-response';
import type { FunctionCallItem, ItemStatus, OutputItem, ResponseObject, ResponseStreamEvent } from './responses.types';

/** The text item being streamed: the assistant's message or its reasoning (one at a time). */
interface OpenText {
  kind: 'message' | 'reasoning';
  outputIndex: number;
  itemId: string;
  text: string;
  /** Reasoning: the signed thinking blocks streamed with it (each complete in one delta). */
  blocks: ThinkingBlock[];
}

interface OpenCall {
  outputIndex: number;
  item: FunctionCallItem & { id: string; status: ItemStatus };
}

type Event = ResponseStreamEvent;
/** An event as built, before the translator numbers it. */
type Unnumbered = Event extends infer E ? (E extends Event ? Omit<E, 'sequence_number'> : never) : never;

/**
 * Chat completion chunks, batch by batch, as the Responses API's stream events: `response.created` and
 * `response.in_progress` first; each run of text or reasoning an output item with one content part and its
 * deltas; each tool call a `function_call` item with its argument deltas; then every open item closed
 * (`.done` events carrying the full text or arguments) and `response.completed` (or `response.incomplete`
 * for a length or content-filter stop) with the whole Response and its usage. A failure mid-stream is an
 * `error` event followed by `response.failed`. `sequence_number` counts every event from 0.
 */
export class ResponsesStreamTranslator {
  private seq = 0;
  private model: string;
  private readonly output: OutputItem[] = [];
  private text: OpenText | null = null;
  private readonly calls = new Map<number, OpenCall>();
  private finishReason: FinishReason | null = null;
  private usage: Usage | null = null;
  private final: ResponseObject | null = null;

  constructor(private readonly ctx: ResponseContext) {
    this.model = ctx.request.model;
  }

  /** `response.created` and `response.in_progress`. */
  start(): Event[] {
    const response = responseSkeleton(this.ctx);
    return [this.event({ type: 'response.created', response }), this.event({ type: 'response.in_progress', response })];
  }

  /** The events of a batch of chunks (none for chunks that carry no output, such as the usage chunk). */
  push(chunks: readonly ChatCompletionChunk[]): Event[] {
    const out: Event[] = [];
    for (const chunk of chunks) {
      if (chunk.model) this.model = chunk.model;
      if (chunk.usage) this.usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      const { reasoning_content: reasoning, thinking_blocks: blocks, content, tool_calls: toolCalls } = choice.delta;
      if (reasoning) this.appendText(out, 'reasoning', reasoning);
      if (blocks?.length) {
        if (this.text?.kind !== 'reasoning') this.switchText(out, 'reasoning');
        this.text!.blocks.push(...blocks);
      }
      if (content) this.appendText(out, 'message', content);
      for (const t of toolCalls ?? []) this.appendCall(out, t.index, t.id, t.function?.name, t.function?.arguments);
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    return out;
  }

  /** Closes every open item and ends with `response.completed` (or `response.incomplete`). */
  finish(): Event[] {
    const out: Event[] = [];
    const status: ItemStatus = this.finishReason === 'length' || this.finishReason === 'content_filter' ? 'incomplete' : 'completed';
    // An answer with no output at all is an empty message, as OpenAI sends it.
    if (!this.output.length) this.openText(out, 'message');
    this.closeText(out, status);
    for (const call of this.calls.values()) {
      const { item, outputIndex } = call;
      out.push(this.event({ type: 'response.function_call_arguments.done', item_id: item.id, output_index: outputIndex, name: item.name, arguments: item.arguments }));
      item.status = 'completed';
      out.push(this.event({ type: 'response.output_item.done', output_index: outputIndex, item: { ...item } }));
    }
    this.calls.clear();
    const response = (this.final = finishedResponse(this.ctx, this.model, this.output, this.finishReason, this.usage));
    out.push(this.event({ type: response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response }));
    return out;
  }

  /** A failure after the stream began: the `error` event, then `response.failed` with the output so far. */
  fail(error: { code: string; message: string; param: string | null }): Event[] {
    if (this.text) this.output[this.text.outputIndex] = this.textItem(this.text, 'incomplete');
    const response: ResponseObject = { ...responseSkeleton(this.ctx, this.model), status: 'failed', output: this.output, error: { code: error.code, message: error.message } };
    this.final = response;
    return [this.event({ type: 'error', code: error.code, message: error.message, param: error.param }), this.event({ type: 'response.failed', response })];
  }

  /** The Response as it ended (null before `finish` or `fail`). */
  response(): ResponseObject | null {
    return this.final;
  }

  private event(e: Unnumbered): Event {
    return { ...e, sequence_number: this.seq++ } as Event;
  }

  private appendText(out: Event[], kind: OpenText['kind'], delta: string): void {
    if (this.text?.kind !== kind) this.switchText(out, kind);
    const text = this.text!;
    text.text += delta;
    const where = { item_id: text.itemId, output_index: text.outputIndex, content_index: 0 };
    out.push(this.event(kind === 'message' ? { type: 'response.output_text.delta', ...where, delta, logprobs: [] } : { type: 'response.reasoning_text.delta', ...where, delta }));
  }

  private switchText(out: Event[], kind: OpenText['kind']): void {
    this.closeText(out, 'completed');
    this.openText(out, kind);
  }

  private openText(out: Event[], kind: OpenText['kind']): void {
    const outputIndex = this.output.length;
    const itemId = this.ctx.ids(kind === 'message' ? 'msg' : 'rs');
    const item: OutputItem =
      kind === 'message'
        ? { type: 'message', id: itemId, role: 'assistant', status: 'in_progress', content: [] }
        : { type: 'reasoning', id: itemId, summary: [], content: [] };
    this.output.push(item);
    this.text = { kind, outputIndex, itemId, text: '', blocks: [] };
    out.push(this.event({ type: 'response.output_item.added', output_index: outputIndex, item: structuredClone(item) }));
    const part = kind === 'message' ? outputText('') : { type: 'reasoning_text' as const, text: '' };
    out.push(this.event({ type: 'response.content_part.added', item_id: itemId, output_index: outputIndex, content_index: 0, part }));
  }

  private closeText(out: Event[], status: ItemStatus): void {
    const open = this.text;
    if (!open) return;
    this.text = null;
    const where = { item_id: open.itemId, output_index: open.outputIndex, content_index: 0 };
    if (open.kind === 'message') {
      out.push(this.event({ type: 'response.output_text.done', ...where, text: open.text, logprobs: [] }));
      out.push(this.event({ type: 'response.content_part.done', ...where, part: outputText(open.text) }));
    } else {
      out.push(this.event({ type: 'response.reasoning_text.done', ...where, text: open.text }));
      out.push(this.event({ type: 'response.content_part.done', ...where, part: { type: 'reasoning_text', text: open.text } }));
    }
    const item = (this.output[open.outputIndex] = this.textItem(open, status));
    out.push(this.event({ type: 'response.output_item.done', output_index: open.outputIndex, item: structuredClone(item) }));
  }

  private textItem(open: OpenText, status: ItemStatus): OutputItem {
    return open.kind === 'message'
      ? { type: 'message', id: open.itemId, role: 'assistant', status, content: [outputText(open.text)] }
      : reasoningItem(open.itemId, open.text, open.blocks);
  }

  private appendCall(out: Event[], index: number, id: string | undefined, name: string | undefined, args: string | undefined): void {
    let call = this.calls.get(index);
    if (!call) {
      // Text before a tool call is complete once the call begins.
      this.closeText(out, 'completed');
      const item = { type: 'function_call' as const, id: this.ctx.ids('fc'), call_id: id ?? '', name: name ?? '', arguments: '', status: 'in_progress' as ItemStatus };
      call = { outputIndex: this.output.length, item };
      this.calls.set(index, call);
      this.output.push(item);
      out.push(this.event({ type: 'response.output_item.added', output_index: call.outputIndex, item: { ...item } }));
    } else {
      if (id && !call.item.call_id) call.item.call_id = id;
      if (name) call.item.name += name;
    }
    if (args) {
      call.item.arguments += args;
      out.push(this.event({ type: 'response.function_call_arguments.delta', item_id: call.item.id, output_index: call.outputIndex, delta: args }));
    }
  }
}
