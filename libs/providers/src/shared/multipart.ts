import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { MultipartPart } from '@switchyard/types';

const quoted = (s: string) => s.replace(/["\r\n]/g, (c) => (c === '"' ? '%22' : c === '\r' ? '%0D' : '%0A'));

/** An encoded form: its content type, its length in bytes and its body, streamed (files are read as it is sent). */
export interface EncodedMultipart {
  contentType: string;
  length: number;
  body: Readable;
}

/**
 * Encodes form parts as `multipart/form-data` (RFC 7578), in order. Files are not copied: the body reads each
 * file's `content` when it is iterated, so one call's body is for one attempt (encode again for a retry).
 */
export function encodeMultipart(parts: readonly MultipartPart[]): EncodedMultipart {
  const boundary = `----switchyard${randomBytes(12).toString('hex')}`;
  const pieces: (Buffer | (() => AsyncIterable<Uint8Array>))[] = [];
  let length = 0;
  const text = (s: string) => {
    const b = Buffer.from(s);
    length += b.length;
    pieces.push(b);
  };
  for (const part of parts) {
    if ('content' in part) {
      text(`--${boundary}\r\ncontent-disposition: form-data; name="${quoted(part.name)}"; filename="${quoted(part.filename)}"\r\ncontent-type: ${part.contentType}\r\n\r\n`);
      pieces.push(() => part.content());
      length += part.size;
      text('\r\n');
    } else {
      text(`--${boundary}\r\ncontent-disposition: form-data; name="${quoted(part.name)}"\r\n\r\n${part.value}\r\n`);
    }
  }
  text(`--${boundary}--\r\n`);
  async function* body(): AsyncIterable<Uint8Array> {
    for (const piece of pieces) {
      if (Buffer.isBuffer(piece)) yield piece;
      else yield* piece();
    }
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, length, body: Readable.from(body(), { objectMode: false }) };
}
