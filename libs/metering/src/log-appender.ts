import type { Redis } from 'ioredis';
import { logStreamKeys, type RequestLogRecord } from './request-log';

export interface LogAppenderOptions {
  redis: Redis;
  /** REDIS_PREFIX. */
  prefix: string;
  /** Records held while Redis is unreachable (LOG_BUFFER_MAX_RECORDS); what does not fit is dropped. */
  maxBuffered: number;
  /** How long a record waits for others to share its flush (default 5 ms). */
  flushIntervalMs?: number;
  /** Records per stream entry (default 100); one flush sends its entries in one pipeline. */
  recordsPerEntry?: number;
  /** Told how many records were just dropped (the buffer was full). */
  onDrop?: (count: number) => void;
  /** Told when a flush failed (the records stay buffered and are sent again). */
  onError?: (err: unknown) => void;
}

const RETRY_MS = 250;
const ENTRIES_PER_FLUSH = 50;

/**
 * Appends request log records to the log stream (`logStreamKeys(prefix).stream`, one field `d` = a JSON array
 * of records per entry), off the request path: `append` only pushes to an in-memory batch; a timer flushes it
 * a few ms later with pipelined XADDs, never awaited by a request. While Redis is unreachable the records stay
 * in a bounded buffer and are sent once it is back; what does not fit is dropped and counted (`dropped`).
 */
export class LogAppender {
  /** Records as JSON text: serialized on append, so a record's object graph dies young instead of waiting for its flush. */
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly stream: string;
  private readonly intervalMs: number;
  private readonly perEntry: number;
  /** Records dropped since start because the buffer was full. */
  dropped = 0;

  constructor(private readonly options: LogAppenderOptions) {
    this.stream = logStreamKeys(options.prefix).stream;
    this.intervalMs = options.flushIntervalMs ?? 5;
    this.perEntry = options.recordsPerEntry ?? 100;
  }

  /** Records waiting to be sent. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Queues a record; never blocks, never throws. */
  append(record: RequestLogRecord): void {
    if (this.buffer.length >= this.options.maxBuffered) return this.drop(1);
    this.buffer.push(JSON.stringify(record));
    this.schedule(this.intervalMs);
  }

  /** Sends what is buffered now (waits for a flush in flight); records Redis does not take stay buffered. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    if (!this.buffer.length) return;
    this.flushing = this.send();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
    // Records appended meanwhile (unless a retry is already set).
    if (this.buffer.length) this.schedule(this.intervalMs);
  }

  /** Flushes until the buffer is empty or `timeoutMs` has passed (shutdown). */
  async close(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.buffer.length && Date.now() < deadline) {
      const before = this.buffer.length;
      await this.flush();
      if (this.buffer.length >= before) await new Promise((r) => setTimeout(r, 50));
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.timer || this.flushing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
    this.timer.unref();
  }

  private async send(): Promise<void> {
    const { redis } = this.options;
    if (redis.status !== 'ready') return this.retryLater();
    const batch = this.buffer.splice(0, ENTRIES_PER_FLUSH * this.perEntry);
    const pipeline = redis.pipeline();
    for (let i = 0; i < batch.length; i += this.perEntry) pipeline.xadd(this.stream, '*', 'd', `[${batch.slice(i, i + this.perEntry).join(',')}]`);
    let unsent: string[] = [];
    try {
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([err], n) => {
        if (err) unsent = unsent.concat(batch.slice(n * this.perEntry, (n + 1) * this.perEntry));
      });
      if (unsent.length) this.options.onError?.(results.find(([err]) => err)?.[0]);
    } catch (err) {
      unsent = batch;
      this.options.onError?.(err);
    }
    if (unsent.length) {
      // Back to the front, oldest first; what no longer fits is dropped.
      const room = Math.max(0, this.options.maxBuffered - this.buffer.length);
      if (unsent.length > room) this.drop(unsent.length - room);
      this.buffer = unsent.slice(0, room).concat(this.buffer);
      return this.retryLater();
    }
  }

  /** Redis is unreachable or refused the batch: try again a little later (appends meanwhile only buffer). */
  private retryLater(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, RETRY_MS);
    this.timer.unref();
  }

  private drop(count: number): void {
    this.dropped += count;
    this.options.onDrop?.(count);
  }
}
