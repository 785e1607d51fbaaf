import { jsonbSafe } from '@switchyard/types';
import type { Command, Redis } from 'ioredis';
import { logStreamKeys, type RequestLogRecord } from './request-log';

export interface LogAppenderOptions {
  /** Its own connection, without auto-pipelining: a command is then written to the socket when it is called. */
  redis: Redis;
  /** REDIS_PREFIX. */
  prefix: string;
  /** Records held while Redis is unreachable (LOG_BUFFER_MAX_RECORDS); what does not fit is dropped. */
  maxBuffered: number;
  /** Records per stream entry (default 10, so a writer's read stays small): of a turn's records, and of held records when they are sent (one flush sends its entries in one pipeline). */
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
 * of records per entry), never awaited by a request. While Redis is ready, the first record of an event-loop turn is
 * written at once (its XADD on the socket before `append` returns: a turn with one record, the usual case below
 * saturation, waits for nothing), and the records appended after it in the same turn are written together at the
 * end of the turn (`setImmediate`, after the poll phase handled every ready socket): their XADDs (one entry per
 * `recordsPerEntry` records) in one socket write, on a connection without auto-pipelining (an XADD is queued as a
 * `WriteThrough`, cheaper than ioredis's `Command`). `whenWritten` runs what waits for that write (the end of the
 * answers whose records are in it), so a caller that appends, then ends its answer through `whenWritten`, has the
 * record on its way to Redis before the client can see the answer: a process killed after that loses no record of
 * an answered request. The reply is not awaited. While Redis is unreachable (or records are still held from an
 * outage) the records stay in a bounded buffer and are sent in batches once it is back; what does not fit is dropped
 * and counted (`dropped`).
 */
export class LogAppender {
  /** Records as JSON text: serialized on append, so a record's object graph dies young instead of waiting for its flush. */
  private buffer: string[] = [];
  /** Whether a record was written during this turn (the turn's end is then set: `writeTurn`). */
  private turnBegun = false;
  /** Records appended during this turn after its first (JSON text), written together at its end. */
  private turn: string[] = [];
  /** What waits for this turn's write: the ends of the answers whose records are in it. */
  private afterTurn: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  /** Written XADDs (entries) whose reply has not come yet. */
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

  /** Records held (Redis unreachable, or records refused) until they are sent again. */
  get buffered(): number {
    return this.buffer.length;
  }

  /**
   * Sends a record: now when it is the turn's first, else at the end of the turn with the turn's others; Redis
   * unreachable (or records held), holds it. Never blocks, never throws.
   */
  append(record: RequestLogRecord): void {
    const json = jsonbSafe(JSON.stringify(record));
    if (this.buffer.length || this.flushing || this.options.redis.status !== 'ready') return this.hold(json);
    if (this.turnBegun) {
      this.turn.push(json);
      return;
    }
    this.turnBegun = true;
    setImmediate(this.writeTurn);
    this.writeThrough([json]);
  }

  /**
   * Runs `then` once the records appended so far are written to the Redis socket: at the end of this turn, just after
   * the turn's write, or now when none waits for it (nothing appended this turn, or the records are held in the buffer).
   */
  whenWritten(then: () => void): void {
    if (this.turn.length) this.afterTurn.push(then);
    else then();
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

  /** Flushes until nothing is waiting, buffered or in flight, or `timeoutMs` has passed (shutdown). */
  async close(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.turn.length || this.buffer.length || this.inFlight) && Date.now() < deadline) {
      const before = this.buffer.length;
      await this.flush();
      if (this.inFlight || this.buffer.length >= before) await new Promise((r) => setTimeout(r, 20));
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * The turn's records after its first (the end of the turn, `setImmediate`): their XADDs written to the socket in one
   * write (the connection corked around them), then what waited for them runs. Redis no longer ready: they are held.
   */
  private readonly writeTurn = (): void => {
    this.turnBegun = false;
    if (!this.turn.length) return;
    const records = this.turn;
    const waiting = this.afterTurn;
    this.turn = [];
    this.afterTurn = [];
    if (this.options.redis.status === 'ready') this.writeThrough(records);
    else for (const record of records) this.hold(record);
    for (const then of waiting) then();
  };

  /**
   * XADDs of `records` (JSON), `perEntry` per entry, written to the socket before this returns (a client without
   * auto-pipelining; several in one write): each handed to ioredis as a `WriteThrough`, which ioredis writes, settles
   * on the reply and resends after a reconnect like any unanswered command; an error reply puts its records back in
   * the buffer.
   */
  private writeThrough(records: string[]): void {
    const { redis } = this.options;
    const several = records.length > this.perEntry;
    if (several) redis.stream.cork();
    for (let i = 0; i < records.length; i += this.perEntry) {
      this.inFlight += 1;
      redis.sendCommand(new WriteThrough(this, records.slice(i, i + this.perEntry)) as unknown as Command);
    }
    if (several) redis.stream.uncork();
  }

  /** @internal A written XADD's reply came (`err`: an error reply, or the connection gave up on it). */
  settled(write: WriteThrough, err?: Error): void {
    this.inFlight -= 1;
    if (err) this.requeue(write.records, err);
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

  /** A record (JSON) held in the buffer, sent later; dropped (and counted) when the buffer is full. */
  private hold(record: string): void {
    if (this.buffer.length >= this.options.maxBuffered) return this.drop(1);
    this.buffer.push(record);
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
 * A written XADD as ioredis's command queue holds it, in place of a `Command` (whose promise, argument copies,
 * per-argument RESP assembly and tracing cost about 5 µs of CPU per record): ioredis calls `toWritable` to write it
 * (again after a reconnect, if no reply came), and `resolve` or `reject` when its reply comes or the connection gives
 * up on it. What ioredis reads of a command besides: `name`, `args` (an error's `command`) and `isTraced` (true: no
 * `ioredis:command` diagnostics-channel span per record). The entry is its records: `[<record>,…]`.
 */
class WriteThrough {
  readonly name = 'xadd';
  readonly args = NO_ARGS;
  readonly isTraced = true;

  constructor(
    private readonly appender: LogAppender,
    readonly records: string[],
  ) {}

  toWritable(): string {
    const entry = `[${this.records.join(',')}]`;
    return `${this.appender.xaddHead}${Buffer.byteLength(entry)}\r\n${entry}\r\n`;
  }

  resolve(): void {
    this.appender.settled(this);
  }

  reject(err: Error): void {
    this.appender.settled(this, err);
  }
}
