import { randomBytes } from 'node:crypto';
import type { MultipartPart } from '@switchyard/types';

const quoted = (s: string) => s.replace(/["\r\n]/g, (c) => (c === '"' ? '%22' : c === '\r' ? '%0D' : '%0A'));

/** Encodes form parts as `multipart/form-data` (RFC 7578), in order; returns the body and its content type. */
export function encodeMultipart(parts: readonly MultipartPart[]): { contentType: string; body: Uint8Array } {
  const boundary = `----switchyard${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('data' in part) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name="${quoted(part.name)}"; filename="${quoted(part.filename)}"\r\ncontent-type: ${part.contentType}\r\n\r\n`,
        ),
        Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength),
        Buffer.from('\r\n'),
      );
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${quoted(part.name)}"\r\n\r\n${part.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
