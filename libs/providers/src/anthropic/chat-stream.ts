import type { ChatCompletionChunk } from '@switchyard/types';
import { ChunkBuilder } from '../shared/chunks';
import { statusForErrorType } from '../shared/errors';
import { SseDecoder } from '../shared/sse';
import { ProviderStreamError, type StreamDecoder } from '../types';
import { anthropicFinish } from './chat-response';
import { JSON_TOOL_NAME, type AnthropicStreamEvent, type AnthropicUsage } from './types';
import { anthropicUsage } from './usage';

type Block =
  | { kind: 'text' | 'json' | 'other' }
  | { kind: 'tool'; toolIndex: number }
  | { kind: 'thinking'; thinking: string; signature?: string }
  | { kind: 'redacted'; data: string };

/**
 * Anthropic SSE (`message_start`, `content_block_start/delta/stop`, `message_delta`, `message_stop`,
 * `ping`, `error`) to OpenAI chunks. Tool input fragments (`input_json_delta.partial_json`) are passed on
 * unchanged; the stream is complete only at `message_stop`.
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  private readonly sse = new SseDecoder();
  private readonly chunks: ChunkBuilder;
  private readonly blocks = new Map<number, Block>();
  private toolCount = 0;
  private jsonTool = false;
  private usage: AnthropicUsage = {};
  private stopReason: string | null = null;
  private done = false;

  constructor(model: string) {
    this.chunks = new ChunkBuilder('', model);
  }

  push(bytes: Uint8Array): ChatCompletionChunk[] {
    return this.decode(this.sse.push(bytes));
  }

  end(): ChatCompletionChunk[] {
    const out = this.decode(this.sse.end());
    if (!this.done) throw new ProviderStreamError('Anthropic closed the stream before message_stop.', 502, 'stream_incomplete');
    return out;
  }

  private decode(events: { event?: string; data: string }[]): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    for (const e of events) {
      if (this.done || !e.data.trim()) continue;
      let ev: AnthropicStreamEvent;
      try {
        // The SSE event name stands in for a payload without `type`.
        ev = { type: e.event, ...(JSON.parse(e.data) as object) } as AnthropicStreamEvent;
      } catch {
        throw new ProviderStreamError('Anthropic sent a malformed stream event.', 502, 'malformed_stream');
      }
      switch (ev.type) {
        case 'message_start': {
          const m = ev.message ?? {};
          this.chunks.id = m.id ?? this.chunks.id;
          if (m.model) this.chunks.model = m.model;
          this.usage = { ...(m.usage ?? {}) };
          this.chunks.role(out);
          break;
        }
        case 'content_block_start': {
          const b = ev.content_block;
          const index = Number(ev.index);
          if (b?.type === 'tool_use' && b.name === JSON_TOOL_NAME) {
            this.jsonTool = true;
            this.blocks.set(index, { kind: 'json' });
          } else if (b?.type === 'tool_use') {
            const toolIndex = this.toolCount++;
            this.blocks.set(index, { kind: 'tool', toolIndex });
            this.chunks.toolStart(out, toolIndex, b.id ?? '', b.name ?? '');
          } else if (b?.type === 'text') {
            this.blocks.set(index, { kind: 'text' });
            if (b.text) this.chunks.content(out, b.text);
          } else if (b?.type === 'thinking') {
            this.blocks.set(index, { kind: 'thinking', thinking: b.thinking ?? '', ...(b.signature ? { signature: b.signature } : {}) });
            if (b.thinking) this.chunks.reasoning(out, b.thinking);
          } else if (b?.type === 'redacted_thinking') this.blocks.set(index, { kind: 'redacted', data: b.data ?? '' });
          else this.blocks.set(index, { kind: 'other' });
          break;
        }
        case 'content_block_delta': {
          const d = ev.delta;
          const block = this.blocks.get(Number(ev.index));
          if (d?.type === 'text_delta') this.chunks.content(out, d.text ?? '');
          else if (d?.type === 'thinking_delta') {
            if (block?.kind === 'thinking') block.thinking += d.thinking ?? '';
            this.chunks.reasoning(out, d.thinking ?? '');
          } else if (d?.type === 'signature_delta' && block?.kind === 'thinking') block.signature = (block.signature ?? '') + (d.signature ?? '');
          else if (d?.type === 'input_json_delta' && block?.kind === 'tool') this.chunks.toolArguments(out, block.toolIndex, d.partial_json ?? '');
          else if (d?.type === 'input_json_delta' && block?.kind === 'json') this.chunks.content(out, d.partial_json ?? '');
          break;
        }
        case 'content_block_stop': {
          // A finished thinking block goes to the client whole (text and signature), to be sent back unchanged.
          const block = this.blocks.get(Number(ev.index));
          if (block?.kind === 'thinking') this.chunks.thinkingBlock(out, { type: 'thinking', thinking: block.thinking, ...(block.signature !== undefined ? { signature: block.signature } : {}) });
          else if (block?.kind === 'redacted') this.chunks.thinkingBlock(out, { type: 'redacted_thinking', data: block.data });
          break;
        }
        case 'message_delta': {
          const d = ev.delta ?? {};
          if (d.stop_reason !== undefined) this.stopReason = d.stop_reason;
          // message_delta usage is cumulative; it may restate input and cache counts.
          const u = ev.usage ?? {};
          for (const [k, v] of Object.entries(u)) if (v !== null && v !== undefined) this.usage[k] = v;
          break;
        }
        case 'message_stop':
          this.chunks.finish(out, anthropicFinish(this.stopReason, this.jsonTool && this.toolCount === 0));
          this.chunks.usage(out, anthropicUsage(this.usage));
          this.done = true;
          break;
        case 'error': {
          const err = ev.error ?? {};
          throw new ProviderStreamError(err.message ?? 'Anthropic reported an error inside the stream.', statusForErrorType(err.type), err.type ?? 'stream_error');
        }
        default:
          break; // ping, and event types added later
      }
    }
    return out;
  }
}
