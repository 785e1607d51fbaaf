import type { Readable } from 'node:stream';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { CollectorException } from './collector.exception';

/**
 * Reads a request body, inflating `gzip`/`deflate`, and stops with 413 as soon as more than `limit`
 * bytes have arrived or been produced: a gzip bomb is cut off at the limit, never inflated whole.
 */
export async function readBody(stream: Readable, contentEncoding: string | undefined, limit: number): Promise<Buffer> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  let inflater: Gunzip | Inflate | null;
  switch (encoding) {
    case '':
    case 'identity':
      inflater = null;
      break;
    case 'gzip':
    case 'x-gzip':
      inflater = createGunzip();
      break;
    case 'deflate':
      inflater = createInflate();
      break;
    default:
      stream.resume();
      throw new CollectorException('unsupported_encoding', `Content-Encoding '${encoding}' is not supported (use gzip or none).`);
  }
  const tooLarge = () =>
    new CollectorException('body_too_large', `The request body exceeds ${limit} bytes${inflater ? ' once decompressed' : ''}.`);

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let raw = 0;
    let done = false;
    const fail = (err: Error) => {
      if (done) return;
      done = true;
      stream.unpipe();
      stream.resume(); // drain what the client still sends so the 413 reaches it
      inflater?.destroy();
      reject(err);
    };
    const source: Readable = inflater ?? stream;
    source.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) return fail(tooLarge());
      chunks.push(chunk);
    });
    source.once('end', () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    source.once('error', (err) =>
      fail(inflater ? new CollectorException('undecodable_body', `The body is not valid ${encoding} data.`) : err),
    );
    if (inflater) {
      stream.on('data', (chunk: Buffer) => {
        raw += chunk.length;
        if (raw > limit) fail(tooLarge());
      });
      stream.once('error', fail);
      stream.pipe(inflater);
    }
  });
}
