import type { ChatCompletionChunk, FinishReason, ThinkingBlock, Usage } from '@switchyard/types';
import { messageIdOf, messagesUsageOf, stopReasonOf, thinkingBlockOf } from './messages-response';

/** One SSE event of the Messages stream: `event: <type>` and its JSON `data`. */
export const messagesEvent = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/** The `error` event that ends a Messages stream which failed after its first byte: Anthropic's error body (`{"type":"error","error":{"type","message"}}`). */
export const messagesErrorEvent = (body: { type: 'error'; error: { type: string; message: string } }): string => messagesEvent('error', body);

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; toolIndex: number };

/**
 * Chat chunk batches to Anthropic's stream events, for one stream: `message_start`, then per content block
 * `content_block_start`, its deltas (`text_delta`, `thinking_delta`, `signature_delta`, `input_json_delta`) and
 * `content_block_stop`, blocks numbered from 0 in order and never interleaved; at the end `message_delta` (stop
 * reason and usage, input tokens included since they are known only then) and `message_stop`. Pure and
 * stateful: `push` per batch, `finish` once the chunks are complete.
 */
export class MessagesStreamTranslator {
  private started = false;
  private open: OpenBlock | null = null;
  private nextIndex = 0;
  /** Block index of each chat tool call index (fragments of a call whose block is closed still go to it). */
  private readonly toolBlocks = new Map<number, number>();
  private finishReason: FinishReason | null = null;
  private usage: Usage | null = null;

  constructor(private readonly model: string) {}

  /** The events of one batch of chunks ('' when it carries nothing for the client). */
  push(chunks: readonly ChatCompletionChunk[]): string {
    let out = '';
    for (const chunk of chunks) {
      out += this.start(chunk);
      if (chunk.usage) this.usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      const d = choice.delta;
      if (d.reasoning_content) out += this.delta('thinking', { type: 'thinking_delta', thinking: d.reasoning_content });
      for (const block of d.thinking_blocks ?? []) out += this.thinkingBlock(block);
      const text = d.content || d.refusal;
      if (text) out += this.delta('text', { type: 'text_delta', text });
      for (const call of d.tool_calls ?? []) out += this.toolCall(call.index, call.id, call.function?.name, call.function?.arguments);
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
    return out;
  }

  /** The end of a complete stream: the open block closed, the stop reason and usage, `message_stop`. */
  finish(): string {
    let out = this.start(null) + this.close();
    out += messagesEvent('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReasonOf(this.finishReason), stop_sequence: null },
      usage: messagesUsageOf(this.usage),
    });
    return out + messagesEvent('message_stop', { type: 'message_stop' });
  }

  private start(chunk: ChatCompletionChunk | null): string {
    if (this.started) return '';
    this.started = true;
    const id = messageIdOf(chunk?.id || 'gateway');
    const message = { id, type: 'message', role: 'assistant', model: chunk?.model || this.model, content: [], stop_reason: null, stop_sequence: null, usage: messagesUsageOf(null) };
    return messagesEvent('message_start', { type: 'message_start', message });
  }

  private close(): string {
    if (!this.open) return '';
    const { index } = this.open;
    this.open = null;
    return messagesEvent('content_block_stop', { type: 'content_block_stop', index });
  }

  private begin(block: OpenBlock, contentBlock: object): string {
    const out = this.close() + messagesEvent('content_block_start', { type: 'content_block_start', index: block.index, content_block: contentBlock });
    this.open = block;
    return out;
  }

  /** A text or thinking delta, in the open block of its kind or a new one. */
  private delta(kind: 'text' | 'thinking', delta: object): string {
    let out = '';
    if (this.open?.kind !== kind) {
      out += this.begin({ kind, index: this.nextIndex++ }, kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' });
    }
    return out + messagesEvent('content_block_delta', { type: 'content_block_delta', index: this.open!.index, delta });
  }

  /**
   * A complete thinking block (Claude-capable providers send one when a block ends, signature included): it
   * signs the thinking block streamed so far, or is a block of its own (a redacted one, or thinking that came whole).
   */
  private thinkingBlock(block: ThinkingBlock): string {
    if (block.type === 'thinking' && this.open?.kind === 'thinking') {
      const index = this.open.index;
      return (block.signature ? messagesEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } }) : '') + this.close();
    }
    const whole = thinkingBlockOf(block);
    let out = this.begin({ kind: 'thinking', index: this.nextIndex++ }, whole.type === 'thinking' ? { type: 'thinking', thinking: '', signature: '' } : whole);
    if (whole.type === 'thinking') {
      const index = this.open!.index;
      out += messagesEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: whole.thinking } });
      if (whole.signature) out += messagesEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: whole.signature } });
    }
    return out + this.close();
  }

  /** A tool call's start (id and name: a new `tool_use` block) or an arguments fragment (`input_json_delta`, passed on as received). */
  private toolCall(toolIndex: number, id: string | undefined, name: string | undefined, args: string | undefined): string {
    let out = '';
    let index = this.toolBlocks.get(toolIndex);
    if (index === undefined) {
      index = this.nextIndex++;
      this.toolBlocks.set(toolIndex, index);
      out += this.begin({ kind: 'tool', index, toolIndex }, { type: 'tool_use', id: id ?? `toolu_${index}`, name: name ?? '', input: {} });
    }
    if (args) out += messagesEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args } });
    return out;
  }
}
