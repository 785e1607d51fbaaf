import { createHash } from 'node:crypto';

const HEAD = 64 * 1024;

export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`file exceeds ${maxBytes} bytes`);
    this.name = 'FileTooLargeError';
  }
}

/**
 * Watches a file stream on its way into storage without copying it: counts and hashes the bytes, keeps the
 * first 64 KiB, stops past `maxBytes`, and lets `inspectHead` refuse the file on its first chunk.
 */
export class FileMeter {
  size = 0;
  private readonly hash = createHash('sha256');
  private head: Buffer | null = null;

  constructor(private readonly opts: { maxBytes: number; inspectHead?: (head: Buffer) => void }) {}

  async *through(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
    for await (const part of source) {
      const buf = Buffer.isBuffer(part) ? part : Buffer.from(part);
      if (!buf.length) continue;
      this.size += buf.length;
      if (this.size > this.opts.maxBytes) throw new FileTooLargeError(this.opts.maxBytes);
      if (!this.head) {
        this.head = Buffer.from(buf.subarray(0, HEAD));
        this.opts.inspectHead?.(this.head);
      } else if (this.head.length < HEAD) {
        this.head = Buffer.concat([this.head, buf.subarray(0, HEAD - this.head.length)]);
      }
      this.hash.update(buf);
      yield buf;
    }
    if (!this.head) this.opts.inspectHead?.(Buffer.alloc(0));
  }

  /** Once the stream ended: what the writer returns. */
  stored(id: string): { id: string; size: number; sha256: string; head: Buffer } {
    return { id, size: this.size, sha256: this.hash.digest('hex'), head: this.head ?? Buffer.alloc(0) };
  }
}
