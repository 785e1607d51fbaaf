import type { EventStreamCodec } from '@smithy/eventstream-codec';
import { statusForErrorType } from '../shared/errors';
import { ProviderStreamError, type ByteTransform, type UsageEventDecoder } from '../types';

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

/**
 * AWS's `application/vnd.amazon.eventstream` framing (prelude, headers, JSON payload, CRCs, checked by
 * @smithy/eventstream-codec), decoded as bytes arrive: each complete frame's event type and JSON payload;
 * `:message-type: exception` frames (errors inside a 200 stream) throw ProviderStreamError.
 */
export class EventStreamFrames {
  private readonly codec = newEventStreamCodec();
  private buffer = new Uint8Array(0);
  /** An exception frame that arrived in the same bytes as events before it: thrown once those are handed on. */
  private failure: unknown = null;

  /** Bytes of an incomplete frame are held (the stream must not end with any); a held-back failure throws here. */
  get pending(): boolean {
    if (this.failure) throw this.failure;
    return this.buffer.length > 0;
  }

  /** The complete frames' events; a failure after some events in the same bytes is thrown at the next call. */
  push(bytes: Uint8Array): { type: string | undefined; payload: object }[] {
    if (this.failure) throw this.failure;
    const out: { type: string | undefined; payload: object }[] = [];
    try {
      this.decode(bytes, out);
    } catch (err) {
      if (!out.length) throw err;
      this.failure = err;
    }
    return out;
  }

  private decode(bytes: Uint8Array, out: { type: string | undefined; payload: object }[]): void {
    const merged = new Uint8Array(this.buffer.length + bytes.length);
    merged.set(this.buffer);
    merged.set(bytes, this.buffer.length);
    this.buffer = merged;
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
      out.push({ type: header(':event-type'), payload });
    }
  }
}

const utf8Encoder = new TextEncoder();

/**
 * InvokeModelWithResponseStream of a Claude model, as Anthropic's SSE: each `chunk` frame carries one Messages
 * stream event (`{"bytes": base64 of its JSON}`), written as `event: <type>` and `data: <json>` (the JSON as Bedrock
 * sent it). An exception frame throws (the client's stream then ends with Anthropic's `error` event).
 */
export function invokeStreamAsSse(): ByteTransform {
  const frames = new EventStreamFrames();
  return {
    contentType: 'text/event-stream; charset=utf-8',
    push(bytes) {
      let text = '';
      for (const { type, payload } of frames.push(bytes)) {
        const data = type === 'chunk' ? (payload as { bytes?: string }).bytes : undefined;
        if (data === undefined) continue;
        const json = Buffer.from(data, 'base64').toString('utf8');
        let event: string | undefined;
        try {
          event = (JSON.parse(json) as { type?: string }).type;
        } catch {
          throw new ProviderStreamError('Bedrock sent a malformed stream event.', 502, 'malformed_stream');
        }
        text += `event: ${event ?? 'message'}\ndata: ${json}\n\n`;
      }
      return utf8Encoder.encode(text);
    },
    end() {
      if (frames.pending) throw new ProviderStreamError('Bedrock closed the stream in the middle of an event.', 502, 'stream_incomplete');
      return new Uint8Array(0);
    },
  };
}

/**
 * Bedrock's event-stream frames as the events a usage reader (and DLP on a native path) reads, without changing the bytes the client gets:
 * a Converse stream's frames by their event type (`metadata` carries the usage), an InvokeModel stream's `chunk`
 * frames as the Messages events they wrap. An exception frame or a malformed one ends the reading (the client
 * sees the frame itself).
 */
export function bedrockUsageEvents(): UsageEventDecoder {
  const frames = new EventStreamFrames();
  let broken = false;
  return {
    push(bytes) {
      if (broken) return [];
      try {
        return frames.push(bytes).map(({ type, payload }) => {
          const wrapped = type === 'chunk' ? (payload as { bytes?: string }).bytes : undefined;
          return wrapped === undefined ? { event: type, data: JSON.stringify(payload) } : { data: Buffer.from(wrapped, 'base64').toString('utf8') };
        });
      } catch {
        broken = true;
        return [];
      }
    },
  };
}
