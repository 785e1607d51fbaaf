import type { ChatCompletionChunk } from '@switchyard/types';
import { ChunkBuilder, randomId } from '../shared/chunks';
import { ProviderStreamError, type StreamDecoder } from '../types';
import { BEDROCK_JSON_TOOL } from './chat-request';
import { bedrockFinish } from './chat-response';
import type { ConverseStreamEvent } from './types';
import { bedrockUsage } from './usage';
import { EventStreamFrames } from './event-stream';

type Block = { kind: 'tool'; toolIndex: number } | { kind: 'json' } | { kind: 'reasoning'; text: string; signature?: string } | { kind: 'redacted'; data: string };

/**
 * ConverseStream: `application/vnd.amazon.eventstream` binary frames (prelude, headers, JSON payload, CRCs,
 * checked by @smithy/eventstream-codec). Events: messageStart, contentBlockStart/Delta/Stop, messageStop,
 * metadata (usage; the terminal event); `:message-type: exception` frames are errors inside the 200 stream.
 */
export class BedrockStreamDecoder implements StreamDecoder {
  private readonly frames = new EventStreamFrames();
  private readonly chunks: ChunkBuilder;
  private readonly blocks = new Map<number, Block>();
  private toolCount = 0;
  private jsonTool = false;
  private stopReason: string | undefined;
  private stopped = false;
  private done = false;

  constructor(model: string) {
    this.chunks = new ChunkBuilder(randomId('chatcmpl-'), model);
  }

  push(bytes: Uint8Array): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    // Payloads are JSON as received (fields optional); unknown event types fall to the default.
    for (const { type, payload } of this.frames.push(bytes)) if (!this.done) this.event({ type, payload } as ConverseStreamEvent, out);
    return out;
  }

  end(): ChatCompletionChunk[] {
    if (this.frames.pending) throw new ProviderStreamError('Bedrock closed the stream in the middle of an event.', 502, 'stream_incomplete');
    if (!this.done) throw new ProviderStreamError('Bedrock closed the stream before its metadata event.', 502, 'stream_incomplete');
    return [];
  }

  private event(ev: ConverseStreamEvent, out: ChatCompletionChunk[]): void {
    switch (ev.type) {
      case 'messageStart':
        this.chunks.role(out);
        break;
      case 'contentBlockStart': {
        const tu = ev.payload.start?.toolUse;
        if (!tu) break;
        if (tu.name === BEDROCK_JSON_TOOL) {
          this.jsonTool = true;
          this.blocks.set(Number(ev.payload.contentBlockIndex), { kind: 'json' });
        } else {
          const toolIndex = this.toolCount++;
          this.blocks.set(Number(ev.payload.contentBlockIndex), { kind: 'tool', toolIndex });
          this.chunks.toolStart(out, toolIndex, tu.toolUseId ?? '', tu.name ?? '');
        }
        break;
      }
      case 'contentBlockDelta': {
        const d = ev.payload.delta ?? {};
        const at = Number(ev.payload.contentBlockIndex);
        let block = this.blocks.get(at);
        const rc = d.reasoningContent;
        if (rc && !block) {
          block = typeof rc.redactedContent === 'string' ? { kind: 'redacted', data: '' } : { kind: 'reasoning', text: '' };
          this.blocks.set(at, block);
        }
        if (rc && block?.kind === 'reasoning') {
          if (typeof rc.text === 'string') block.text += rc.text;
          if (typeof rc.signature === 'string') block.signature = (block.signature ?? '') + rc.signature;
        } else if (rc && block?.kind === 'redacted' && typeof rc.redactedContent === 'string') block.data += rc.redactedContent;
        if (typeof d.text === 'string') this.chunks.content(out, d.text);
        else if (d.toolUse && block?.kind === 'tool') this.chunks.toolArguments(out, block.toolIndex, String(d.toolUse.input ?? ''));
        else if (d.toolUse && block?.kind === 'json') this.chunks.content(out, String(d.toolUse.input ?? ''));
        else if (typeof rc?.text === 'string') this.chunks.reasoning(out, rc.text);
        break;
      }
      case 'contentBlockStop': {
        // A finished reasoning block goes to the client whole (text and signature), to be sent back unchanged.
        const block = this.blocks.get(Number(ev.payload.contentBlockIndex));
        if (block?.kind === 'reasoning') this.chunks.thinkingBlock(out, { type: 'thinking', thinking: block.text, ...(block.signature !== undefined ? { signature: block.signature } : {}) });
        else if (block?.kind === 'redacted') this.chunks.thinkingBlock(out, { type: 'redacted_thinking', data: block.data });
        break;
      }
      case 'messageStop':
        this.stopReason = ev.payload.stopReason;
        this.stopped = true;
        this.chunks.finish(out, bedrockFinish(this.stopReason, this.jsonTool && this.toolCount === 0));
        break;
      case 'metadata':
        if (!this.stopped) throw new ProviderStreamError('Bedrock sent metadata before messageStop.', 502, 'malformed_stream');
        this.chunks.usage(out, bedrockUsage(ev.payload.usage));
        this.done = true;
        break;
      default:
        break;
    }
  }
}
