import type { Redis } from 'ioredis';
import { boundedCall } from '@switchyard/persistence';
import type { ChatCompletionChunk } from '@switchyard/types';
import type { ExecutionMeta } from '../executor';

/** Who answered a fill (the cache entry's meta). */
export type FillMeta = Pick<ExecutionMeta, 'provider' | 'model' | 'connectionId'>;

/**
 * A streamed fill, live (docs/governance.md#cache): once a caller waiting for the same entry has announced itself
 * (its lookup sets a flag next to the fill lock), the filler appends the batches its client receives to a
 * short-lived Redis stream keyed by the fill (`<entry>:live:<lock token>`), the ones it had so far first; the
 * waiters, on any replica, read it as it grows and relay each batch as it comes, in the same batches. Entry
 * fields: `m` (the meta, with the first write), `b` (a JSON array of batches), `e` (the end: `1` clean, `0`
 * failed). A fill nobody waits for writes no stream: the filler reads the flag (one GET in flight at a time,
 * again only after a new batch), and a waiter that announces itself after the filler's last read is told by
 * the fill's own script (`ResponseCache.fill`/`release`), which ends the stream so that the waiter looks again.
 */

/**
 * The filler's side: batches are kept (serialized as they pass) until a waiter is known; then at most one
 * write in flight, batches that arrive meanwhile going out together in the next (one XADD + PEXPIRE,
 * pipelined, never awaited by the request). Nothing is written after the end.
 */
export class LivePublisher {
  /** Batches serialized as they pass (later stages may change the chunk objects before the next write goes out). */
  private pending: string[] = [];
  private meta: FillMeta | null;
  private end: '1' | '0' | null = null;
  private writing = false;
  private closed = false;
  /** A waiter announced itself: batches are written. */
  private announced = false;
  /** A read of the waiters' flag is in flight; `recheck`: a batch came since it was sent. */
  private checking = false;
  private recheck = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    /** The flag the waiters of this fill set (`ResponseCache.lookup`). */
    private readonly waitersKey: string,
    private readonly ttlMs: number,
    meta: FillMeta,
  ) {
    this.meta = meta;
  }

  /** Whether this publisher writes the end for the fill's waiters (one announced itself in time); else the fill's script tells them. */
  get tellsWaiters(): boolean {
    return this.announced;
  }

  batch(batch: ChatCompletionChunk[]): void {
    if (this.closed || !batch.length) return;
    this.pending.push(JSON.stringify(batch));
    if (this.announced) this.flush();
    else this.check();
  }

  /** The stream ended: cleanly (its waiters finish) or not (its waiters call upstream themselves). */
  finish(clean: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.announced) {
      this.pending = [];
      return;
    }
    this.end = clean ? '1' : '0';
    this.flush();
  }

  /** Reads the waiters' flag, one read in flight; a batch that comes meanwhile asks for another read after it. */
  private check(): void {
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    this.recheck = false;
    void this.redis
      .exists(this.waitersKey)
      .catch(() => 0)
      .then((n) => {
        this.checking = false;
        if (this.closed) return;
        if (n > 0) {
          this.announced = true;
          this.flush();
        } else if (this.recheck) this.check();
      });
  }

  private flush(): void {
    if (this.writing || (!this.pending.length && this.end === null)) return;
    const fields: string[] = [];
    if (this.meta) fields.push('m', JSON.stringify(this.meta));
    if (this.pending.length) fields.push('b', `[${this.pending.join(',')}]`);
    if (this.end !== null) fields.push('e', this.end);
    this.meta = null;
    this.pending = [];
    this.end = null;
    this.writing = true;
    // The shared client pipelines both commands into one write; a failed write only costs the waiters their own call.
    void Promise.all([this.redis.xadd(this.key, '*', ...fields), this.redis.pexpire(this.key, this.ttlMs)])
      .catch(() => undefined)
      .then(() => {
        this.writing = false;
        this.flush();
      });
  }
}

/** The fill a waiter followed failed (the filler's call failed or was aborted, or it went silent): the waiter calls upstream itself. */
export class LiveFillFailed extends Error {
  constructor(reason: string) {
    super(`the cache fill it waited for ${reason}`);
    this.name = 'LiveFillFailed';
  }
}

export interface LiveFeedOptions {
  /** Opens a connection for blocking reads (never the shared client: XREAD BLOCK holds its connection). */
  connect: () => Redis;
  /** Followed fills at once in this process (one connection each); a waiter beyond it polls for the entry as before. */
  maxFeeds: number;
  /** The longest a waiter waits for the next write of its fill before it gives the fill up. */
  idleMs: number;
  /** How long one XREAD blocks (a fill's silence is checked against `idleMs` after each). */
  blockMs?: number;
}

/**
 * The waiters' side: one feed per followed fill in this process (all its local waiters share it: one
 * connection, one reader), each on a connection of a small pool. Every wait is bounded: a fill that writes
 * nothing for `idleMs` (its filler died) or a Redis that does not answer fails the feed.
 */
export class LiveFeeds {
  private readonly feeds = new Map<string, LiveFeed>();
  private readonly idle: Redis[] = [];
  private readonly conns = new Set<Redis>();
  private closed = false;

  constructor(private readonly options: LiveFeedOptions) {}

  /** The feed of the fill at `key`, or null when this process follows as many fills as it may. */
  follow(key: string): LiveFeed | null {
    const known = this.feeds.get(key);
    if (known) return known;
    if (this.closed) return null;
    const conn = this.idle.pop() ?? (this.conns.size < this.options.maxFeeds ? this.options.connect() : null);
    if (!conn) return null;
    this.conns.add(conn);
    const feed = new LiveFeed(conn, key, this.options.idleMs, this.options.blockMs ?? 1000, (healthy) => {
      this.feeds.delete(key);
      if (healthy && !this.closed && this.idle.length < 4) this.idle.push(conn);
      else this.drop(conn);
    });
    this.feeds.set(key, feed);
    return feed;
  }

  /** Closes the connections (shutdown: feeds still reading fail, their waiters call upstream themselves). */
  close(): void {
    this.closed = true;
    for (const feed of this.feeds.values()) feed.stop();
    this.idle.length = 0;
    const all = [...this.conns];
    this.conns.clear();
    for (const c of all) c.disconnect();
  }

  private drop(conn: Redis): void {
    this.conns.delete(conn);
    conn.disconnect();
  }
}

type FeedState = { kind: 'open' } | { kind: 'ended' } | { kind: 'failed'; reason: string };

/** One fill's stream as this process has read it so far; each waiter reads it from its start. */
export class LiveFeed {
  meta: FillMeta | null = null;
  private readonly batches: ChatCompletionChunk[][] = [];
  private state: FeedState = { kind: 'open' };
  private wake: (() => void)[] = [];

  constructor(
    private readonly conn: Redis,
    private readonly key: string,
    private readonly idleMs: number,
    private readonly blockMs: number,
    private readonly done: (healthy: boolean) => void,
  ) {
    void this.pump();
  }

  /** The fill's batches from the first, as they come; ends with the fill, throws LiveFillFailed when it fails. */
  async *read(): AsyncGenerator<ChatCompletionChunk[], void, undefined> {
    for (let i = 0; ; ) {
      if (i < this.batches.length) {
        yield this.batches[i++]!;
        continue;
      }
      const state = this.state;
      if (state.kind === 'ended') return;
      if (state.kind === 'failed') throw new LiveFillFailed(state.reason);
      await new Promise<void>((r) => this.wake.push(r));
    }
  }

  stop(): void {
    this.settle({ kind: 'failed', reason: 'was given up (shutdown)' });
  }

  private async pump(): Promise<void> {
    let last = '0';
    let silentSince = Date.now();
    let healthy = true;
    while (this.state.kind === 'open') {
      let reply: [string, [string, string[]][]][] | null;
      try {
        const block = Math.max(1, Math.min(this.blockMs, this.idleMs - (Date.now() - silentSince)));
        const pending = this.conn.xread('COUNT', 100, 'BLOCK', block, 'STREAMS', this.key, last) as Promise<[string, [string, string[]][]][] | null>;
        reply = await boundedCall(pending, block + 1000, () => new LiveFillFailed('could not be read (Redis did not answer)'));
      } catch {
        healthy = false;
        this.settle({ kind: 'failed', reason: 'could not be read' });
        break;
      }
      const entries = reply?.[0]?.[1] ?? [];
      if (!entries.length) {
        if (Date.now() - silentSince >= this.idleMs) this.settle({ kind: 'failed', reason: `wrote nothing for ${this.idleMs} ms` });
        continue;
      }
      silentSince = Date.now();
      for (const [id, fields] of entries) {
        last = id;
        this.take(fields);
      }
      this.notify();
    }
    this.done(healthy);
  }

  private take(fields: string[]): void {
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const value = fields[i + 1]!;
      if (fields[i] === 'm') this.meta = JSON.parse(value) as FillMeta;
      else if (fields[i] === 'b') this.batches.push(...(JSON.parse(value) as ChatCompletionChunk[][]));
      else if (fields[i] === 'e') this.settle(value === '1' ? { kind: 'ended' } : { kind: 'failed', reason: 'failed or was aborted' });
    }
  }

  private settle(state: FeedState): void {
    if (this.state.kind !== 'open') return;
    this.state = state;
    this.notify();
  }

  private notify(): void {
    for (const wake of this.wake.splice(0)) wake();
  }
}

/** What a chunk says (its choices' deltas and finish reasons), without the ids and timestamps of the call that made it. */
const said = (chunk: ChatCompletionChunk): string => JSON.stringify(chunk.choices.map((c) => [c.index, c.delta, c.finish_reason ?? null]));

/**
 * The batches of `next` after the first `relayed.length` chunks, when those say what `relayed` said (a waiter
 * whose fill failed mid-stream continues with its own call only where that call repeats what its client got);
 * null when they differ. The ids of the continuation are the relayed ones (one answer to the client).
 */
export async function* continuation(
  relayed: readonly ChatCompletionChunk[],
  next: AsyncIterable<ChatCompletionChunk[]>,
  onMismatch: () => Error,
): AsyncGenerator<ChatCompletionChunk[], void, undefined> {
  const first = relayed[0];
  let seen = 0;
  for await (const batch of next) {
    const rest: ChatCompletionChunk[] = [];
    for (const chunk of batch) {
      if (seen < relayed.length) {
        if (said(chunk) !== said(relayed[seen]!)) throw onMismatch();
        seen++;
      } else rest.push(first && chunk.id !== first.id ? { ...chunk, id: first.id, created: first.created } : chunk);
    }
    if (rest.length) yield rest;
  }
  if (seen < relayed.length) throw onMismatch();
}
