import type { ChatCompletionChunk } from '@switchyard/types';
import type { EventStreamCodec } from '@smithy/eventstream-codec';
import { ChunkBuilder, randomId } from '../shared/chunks';
import { statusForErrorType } from '../shared/errors';
import { ProviderStreamError, type StreamDecoder } from '../types';
import { BEDROCK_JSON_TOOL } from './chat-request';
import { bedrockFinish } from './chat-response';
import type { ConverseStreamEvent } from './types';
import { bedrockUsage } from './usage';

const utf8 = new TextDecoder();

/**
 * The AWS event stream codec, loaded on first use: processes that never stream from Bedrock do not load the
 * @smithy packages (about 3 MB of heap).
 */
function newEventStreamCodec(): EventStreamCodec {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { EventStreamCodec: Codec } = require('@smithy/eventstream-codec') as typeof import('@smithy/eventstream-codec');
  const { fromUtf8, toUtf8 } = require('@smithy/util-utf8') as typeof import('@smithy/util-utf8');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new Codec(toUtf8, fromUtf8);
}

type Block = { kind: 'tool'; toolIndex: number } | { kind: 'json' } | { kind: 'reasoning'; text: string; signature?: string } | { kind: 'redacted'; data: string };

/**
 * ConverseStream: `application/vnd.amazon.eventstream` binary frames (prelude, headers, JSON payload, CRCs,
 * checked by @smithy/eventstream-codec). Events: messageStart, contentBlockStart/Delta/Stop, messageStop,
 * metadata (usage; the terminal event); `:message-type: exception` frames are errors inside the 200 stream.
 */
export class BedrockStreamDecoder implements StreamDecoder {
  private readonly codec = newEventStreamCodec();
  private buffer = new Uint8Array(0);
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
    const merged = new Uint8Array(this.buffer.length + bytes.length);
    merged.set(this.buffer);
    merged.set(bytes, this.buffer.length);
    this.buffer = merged;
    const out: ChatCompletionChunk[] = [];
    while (this.buffer.length >= 4) {
      const total = new DataView(this.buffer.buffer, this.buffer.byteOffset, 4).getUint32(0);
      if (total < 16 || total > 16 * 1024 * 1024) throw new ProviderStreamError('Bedrock sent a malformed event-stream frame.', 502, 'malformed_stream');
      if (this.buffer.length < total) break;
      const frame = this.buffer.subarray(0, total);
      this.buffer = this.buffer.slice(total);
      let message;
      try {
        message = this.codec.decode(frame);
      } catch {
        throw new ProviderStreamError('Bedrock sent a malformed event-stream frame.', 502, 'malformed_stream');
      }
      const header = (name: string) => {
        const h = message.headers[name];
        return h && h.type === 'string' ? h.value : undefined;
      };
      const body = utf8.decode(message.body);
      let payload: object = {};
      try {
        payload = body ? (JSON.parse(body) as object) : {};
      } catch {
        throw new ProviderStreamError('Bedrock sent a malformed stream event.', 502, 'malformed_stream');
      }
      const messageType = header(':message-type');
      if (messageType === 'exception' || messageType === 'error') {
        const type = header(':exception-type') ?? header(':error-code') ?? 'internalServerException';
        const msg = (payload as { message?: string }).message ?? header(':error-message') ?? 'Bedrock reported an error inside the stream.';
        throw new ProviderStreamError(msg, statusForErrorType(type), type);
      }
      // Payloads are JSON as received (fields optional); unknown event types fall to the default.
      if (!this.done) this.event({ type: header(':event-type'), payload } as ConverseStreamEvent, out);
    }
    return out;
  }

  end(): ChatCompletionChunk[] {
    if (this.buffer.length) throw new ProviderStreamError('Bedrock closed the stream in the middle of an event.', 502, 'stream_incomplete');
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
