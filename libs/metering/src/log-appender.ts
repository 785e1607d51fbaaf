import type { Command, Redis } from 'ioredis';
import { logStreamKeys, type RequestLogRecord } from './request-log';

export interface LogAppenderOptions {
  /** Its own connection, without auto-pipelining: a command is then written to the socket when it is called. */
  redis: Redis;
  /** REDIS_PREFIX. */
  prefix: string;
  /** Records held while Redis is unreachable (LOG_BUFFER_MAX_RECORDS); what does not fit is dropped. */
  maxBuffered: number;
  /** Records per stream entry when held records are sent (default 10, so a writer's read stays small); one flush sends its entries in one pipeline. */
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
 * of records per entry), never awaited by a request. While Redis is ready, `append` writes the record's XADD to
 * the Redis socket at once, synchronously (on a connection without auto-pipelining, whose commands would wait
 * for the next tick; the XADD is queued as a `WriteThrough`, cheaper than ioredis's `Command`), so a caller that
 * appends before it writes the end of its answer has the record on its way to Redis before the client can see the
 * answer: a process killed after that loses no record of an answered request. The reply is not awaited. While Redis is unreachable (or records are still held from an
 * outage) the records stay in a bounded buffer and are sent in batches once it is back; what does not fit is
 * dropped and counted (`dropped`).
 */
export class LogAppender {
  /** Records as JSON text: serialized on append, so a record's object graph dies young instead of waiting for its flush. */
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  /** Written-through XADDs whose reply has not come yet. */
  private inFlight = 0;
  private readonly stream: string;
  private readonly perEntry: number;
  /** @internal `XADD <stream> * d ` in RESP, up to the entry's length (the connection's `keyPrefix` applied, as ioredis would). */
  readonly xaddHead: string;
  /** Its Redis connection (closed by its owner after `close`). */
  get redis(): Redis {
    return this.options.redis;
  }

  /** Records dropped since start because the buffer was full. */
  dropped = 0;

  constructor(private readonly options: LogAppenderOptions) {
    this.stream = logStreamKeys(options.prefix).stream;
    this.perEntry = options.recordsPerEntry ?? 10;
    const key = (options.redis.options.keyPrefix ?? '') + this.stream;
    this.xaddHead = `*5\r\n$4\r\nXADD\r\n$${Buffer.byteLength(key)}\r\n${key}\r\n$1\r\n*\r\n$1\r\nd\r\n$`;
  }

  /** Records waiting to be sent. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Sends a record now (its XADD written before this returns) or, Redis unreachable, holds it; never blocks, never throws. */
  append(record: RequestLogRecord): void {
    if (!this.buffer.length && !this.flushing && this.options.redis.status === 'ready') return this.writeThrough(JSON.stringify(record));
    if (this.buffer.length >= this.options.maxBuffered) return this.drop(1);
    this.buffer.push(JSON.stringify(record));
    this.retryLater();
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
    if (this.buffer.length) this.retryLater();
  }

  /** Flushes until nothing is buffered or in flight, or `timeoutMs` has passed (shutdown). */
  async close(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.buffer.length || this.inFlight) && Date.now() < deadline) {
      const before = this.buffer.length;
      await this.flush();
      if (this.inFlight || this.buffer.length >= before) await new Promise((r) => setTimeout(r, 20));
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * One record's XADD (`record`: its JSON), written to the socket before this returns (a client without
   * auto-pipelining): handed to ioredis as a `WriteThrough`, which ioredis writes, settles on the reply and resends
   * after a reconnect like any unanswered command; an error reply puts the record back in the buffer.
   */
  private writeThrough(record: string): void {
    this.inFlight += 1;
    this.options.redis.sendCommand(new WriteThrough(this, record) as unknown as Command);
  }

  /** @internal A write-through XADD's reply came (`err`: an error reply, or the connection gave up on it). */
  settled(write: WriteThrough, err?: Error): void {
    this.inFlight -= 1;
    if (err) this.requeue([write.record], err);
  }

  private async send(): Promise<void> {
    const { redis } = this.options;
    if (redis.status !== 'ready') return this.retryLater();
    const batch = this.buffer.splice(0, ENTRIES_PER_FLUSH * this.perEntry);
    const pipeline = redis.pipeline();
    for (let i = 0; i < batch.length; i += this.perEntry) pipeline.xadd(this.stream, '*', 'd', `[${batch.slice(i, i + this.perEntry).join(',')}]`);
    let unsent: string[] = [];
    let error: unknown;
    try {
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([err], n) => {
        if (err) unsent = unsent.concat(batch.slice(n * this.perEntry, (n + 1) * this.perEntry));
      });
      error = results.find(([err]) => err)?.[0];
    } catch (err) {
      unsent = batch;
      error = err;
    }
    if (unsent.length) this.requeue(unsent, error);
  }

  /** Records Redis did not take: back to the front, oldest first (what no longer fits is dropped), sent again later. */
  private requeue(unsent: string[], err: unknown): void {
    this.options.onError?.(err);
    const room = Math.max(0, this.options.maxBuffered - this.buffer.length);
    if (unsent.length > room) this.drop(unsent.length - room);
    this.buffer = unsent.slice(0, room).concat(this.buffer);
    this.retryLater();
  }

  /** Redis is unreachable, refused a record, or records are held: send them a little later (appends meanwhile join them). */
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

const NO_ARGS: never[] = [];

/**
 * A write-through XADD as ioredis's command queue holds it, in place of a `Command` (whose promise, argument copies,
 * per-argument RESP assembly and tracing cost about 5 µs of CPU per record): ioredis calls `toWritable` to write it
 * (again after a reconnect, if no reply came), and `resolve` or `reject` when its reply comes or the connection gives
 * up on it. What ioredis reads of a command besides: `name`, `args` (an error's `command`) and `isTraced` (true: no
 * `ioredis:command` diagnostics-channel span per record). The entry is one record: `[<record>]`.
 */
class WriteThrough {
  readonly name = 'xadd';
  readonly args = NO_ARGS;
  readonly isTraced = true;

  constructor(
    private readonly appender: LogAppender,
    readonly record: string,
  ) {}

  toWritable(): string {
    return `${this.appender.xaddHead}${Buffer.byteLength(this.record) + 2}\r\n[${this.record}]\r\n`;
  }

  resolve(): void {
    this.appender.settled(this);
  }

  reject(err: Error): void {
    this.appender.settled(this, err);
  }
}
