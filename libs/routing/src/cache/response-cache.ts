import type { Redis } from 'ioredis';
import { tokenUsageOf } from '@switchyard/metering';
import { boundedCall, deferredWrites, defineScript, type DeferredWrites } from '@switchyard/persistence';
import { processUniqueId, type ChatCompletion, type ChatCompletionChunk } from '@switchyard/types';
import type { CompletionResult, EndpointJsonResult, EndpointRawResult, ExecutionMeta, ExecutionResult, StreamResult } from '../executor';
import { oneBuffer, tailOf } from '../stream-batches';
import { LiveFeeds, LivePublisher, type FillMeta, type LiveFeed } from './live-fill';

/** What a cache entry holds: the answer as the upstream gave it, and who gave it. */
export type CacheEntry = { meta: CachedMeta } & (
  | { kind: 'completion'; completion: ChatCompletion }
  | { kind: 'stream'; batches: ChatCompletionChunk[][] }
  /** A provider's own JSON answer (the provider-native paths). */
  | { kind: 'json'; body: unknown }
  /** A provider's own stream (the provider-native paths): its bytes, base64, and content type. */
  | { kind: 'raw'; contentType: string; body: string }
);
type CachedMeta = FillMeta;


/**
 * The outcome of a lookup: an entry; a concurrent streamed fill to follow live (streams only); or the right (a
 * lock token) or not (null: waited too long) to fill it.
 */
export type CacheLookup = { hit: CacheEntry } | { follow: LiveFeed } | { fill: string | null };

export interface ResponseCacheOptions {
  redis: Redis;
  prefix: string;
  /** Entries larger than this (serialized) are not stored. */
  maxEntryBytes: number;
  /** How long the first miss holds the fill lock; waiters give up after it. */
  lockMs: number;
  /** Delay between a waiter's looks (ms; grows to 4x). */
  pollMs?: number;
  /** The longest one look may take before the cache is given up for the request (Redis unreachable): fail open. */
  lookTimeoutMs?: number;
  /**
   * Streamed fills followed live (docs/governance.md#cache): opens a connection for the waiters' blocking reads, and
   * how many fills this process follows at once (one connection each). Without it, stream waiters poll like the others.
   */
  live?: { connect: () => Redis; maxFeeds: number };
}

/** Thrown when Redis does not answer a look in time (the caller goes upstream without the cache). */
export class CacheUnavailableError extends Error {
  constructor() {
    super('the cache did not answer in time');
    this.name = 'CacheUnavailableError';
  }
}

/**
 * One round trip: the entry if there is one; else take the fill lock (SET NX PX) if it is free. Returns
 * [1, entry], [2] (lock taken: fill it) or [3, token] (another caller is filling it, with that lock token); a
 * waiter that will follow the fill live (ARGV[3] = '1') announces itself in the same script (KEYS[3], the flag
 * its filler reads before it writes anything live).
 */
const LOOKUP = `
local v = redis.call('GET', KEYS[1])
if v then return {1, v} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
if ARGV[3] == '1' then redis.call('SET', KEYS[3], '1', 'PX', ARGV[2]) end
return {3, redis.call('GET', KEYS[2])}`;

/**
 * Clears the waiters' flag of our fill (KEYS[3]) and, when the filler did not write live (ARGV[2] = '1') but a
 * waiter had announced itself, ends the fill's live stream (KEYS[4]) with ARGV[1] ('1': look again for the entry,
 * '0': the fill failed) so that the waiter does not wait out the lock time. KEYS[2]: the lock, ARGV[3]: our token.
 */
const TELL_WAITERS = `
local function tell(lockKey, token, waiters, live, tellThem, ending, liveMs)
  if token == '' or redis.call('GET', lockKey) ~= token then return 0 end
  redis.call('DEL', lockKey)
  if redis.call('DEL', waiters) == 1 and tellThem == '1' then
    redis.call('XADD', live, '*', 'e', ending)
    redis.call('PEXPIRE', live, liveMs)
  end
  return 1
end`;

/** Stores the entry and frees the lock if it is still ours, telling the waiters the filler did not write for. */
const FILL = `${TELL_WAITERS}
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
tell(KEYS[2], ARGV[3], KEYS[3], KEYS[4], ARGV[4], '1', ARGV[5])
return 1`;

/** Frees the lock if it is still ours (the fill failed: a waiter takes over), telling the waiters the filler did not write for. */
const RELEASE = `${TELL_WAITERS}
return tell(KEYS[1], ARGV[1], KEYS[2], KEYS[3], ARGV[2], '0', ARGV[3])`;

type CacheRedis = Redis & {
  syCacheLookup(entry: string, lock: string, waiters: string, token: string, lockMs: number, announce: '1' | '0'): Promise<[number, string?]>;
  syCacheFill(entry: string, lock: string, waiters: string, live: string, value: string, ttlSeconds: number, token: string, tell: '1' | '0', liveMs: number): Promise<number>;
  syCacheRelease(lock: string, waiters: string, live: string, token: string, tell: '1' | '0', liveMs: number): Promise<number>;
};

const NO_TOKENS = tokenUsageOf(undefined);

/**
 * The exact response cache in Redis (docs/governance.md#cache). Entry and lock of one key share a hash tag
 * (Redis Cluster). Identical concurrent misses are coalesced across replicas: the first takes a short lock
 * and calls upstream; the others look again (a bounded poll) until the entry is there, or the lock is free
 * again (the filler failed: the next waiter takes the lock and calls upstream itself), or the lock time has
 * passed (they call upstream without filling). Waiters of a stream follow its fill live instead (`live-fill.ts`).
 */
export class ResponseCache {
  private readonly redis: CacheRedis;
  private readonly pollMs: number;
  private readonly feeds: LiveFeeds | null;
  private readonly deferred: DeferredWrites;

  constructor(private readonly options: ResponseCacheOptions) {
    const redis = options.redis;
    this.pollMs = options.pollMs ?? 10;
    this.feeds = options.live ? new LiveFeeds({ ...options.live, idleMs: options.lockMs }) : null;
    // Defined once on the shared client (EVALSHA, loading the script when Redis lacks it), called without ioredis's
    // Command and auto-pipeline (`RedisScript`): the look leaves in the same socket write as the limits reservation.
    defineScript(redis, 'syCacheLookup', { numberOfKeys: 3, lua: LOOKUP });
    defineScript(redis, 'syCacheFill', { numberOfKeys: 4, lua: FILL });
    defineScript(redis, 'syCacheRelease', { numberOfKeys: 3, lua: RELEASE });
    this.redis = redis as CacheRedis;
    this.deferred = deferredWrites(redis);
  }

  get maxEntryBytes(): number {
    return this.options.maxEntryBytes;
  }

  /**
   * The entry of `hash`, waiting for a concurrent filler when there is one. The first look is sent at once (in
   * the caller's tick); `stop` ends the waiting (the call was refused): `{ fill: null }`, or the lock if it was taken.
   * With `live` (a stream), a concurrent streamed fill is followed as it is written instead of waited for.
   */
  async lookup(hash: string, stop?: { readonly aborted: boolean }, live = false): Promise<CacheLookup> {
    const { entry, lock } = this.keys(hash);
    // The fill lock's token: unique across replicas, cheap per call.
    const token = processUniqueId();
    const deadline = Date.now() + this.options.lockMs;
    const announce = live && this.feeds ? '1' : '0';
    let delay = this.pollMs;
    for (;;) {
      const [status, value] = await this.look(entry, lock, token, announce);
      if (status === 1 && value !== undefined) return { hit: JSON.parse(value) as CacheEntry };
      if (status === 2) return { fill: token };
      if (live && value && this.feeds && !stop?.aborted) {
        const feed = this.feeds.follow(this.liveKey(entry, value));
        if (feed) return { follow: feed };
      }
      if (stop?.aborted || Date.now() + delay > deadline) return { fill: null };
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, this.pollMs * 4);
    }
  }

  /** One look, bounded: a Redis that does not answer (its client queues commands while reconnecting) must not hold the request. */
  private look(entry: string, lock: string, token: string, announce: '1' | '0'): Promise<[number, string?]> {
    // Fills and settlements held back go out first, in the same write.
    const pending = this.now(() => this.redis.syCacheLookup(entry, lock, waitersKey(lock), token, this.options.lockMs, announce));
    return boundedCall(pending, this.options.lookTimeoutMs ?? 1000, () => new CacheUnavailableError());
  }

  /** Where the fill of `hash` by the holder of `token` is written live (null when this cache does not follow fills live). */
  publisher(hash: string, token: string | null, meta: FillMeta): LivePublisher | null {
    if (!token || !this.feeds) return null;
    const { entry, lock } = this.keys(hash);
    return new LivePublisher(this.redis, this.liveKey(entry, token), waitersKey(lock), this.options.lockMs, meta);
  }

  /** Closes the live waiters' connections (shutdown). */
  close(): void {
    this.feeds?.close();
  }

  private liveKey(entry: string, token: string): string {
    return `${entry}:live:${token}`;
  }

  /**
   * Stores the entry (when it fits) and frees the lock; never throws (a failed write only costs a later miss).
   * An entry whose waiters poll for it (every kind but a chat stream, whose waiters follow the fill live) is off
   * the response path and nobody follows it: its write waits for this client's next look or reservation
   * (`DeferredWrites`: at most a few ms; a look on this router sends it first). A chat stream's goes at once, as
   * does a freed lock: their waiters act on them (look again, or take over). `tell`: the filler wrote nothing
   * live, so a waiter that announced itself is told here to look again.
   */
  async fill(hash: string, token: string | null, entry: CacheEntry, ttlSeconds: number, tell = false): Promise<void> {
    const value = JSON.stringify(entry);
    if (Buffer.byteLength(value) > this.options.maxEntryBytes) return this.release(hash, token, tell);
    const { entry: key, lock } = this.keys(hash);
    const live = this.liveKey(key, token ?? '');
    const send = () => this.redis.syCacheFill(key, lock, waitersKey(lock), live, value, ttlSeconds, token ?? '', tell ? '1' : '0', this.options.lockMs);
    await (entry.kind === 'stream' ? this.now(send) : this.deferred.later(send)).catch(() => undefined);
  }

  /** Frees the lock without an entry (the call failed, or its answer is not to be cached); `tell` as for `fill`. */
  async release(hash: string, token: string | null, tell = false): Promise<void> {
    if (!token) return;
    const { entry, lock } = this.keys(hash);
    await this.now(() => this.redis.syCacheRelease(lock, waitersKey(lock), this.liveKey(entry, token), token, tell ? '1' : '0', this.options.lockMs)).catch(() => undefined);
  }

  /** A write that goes at once, with what was held back before it (one socket write). */
  private now<T>(send: () => Promise<T>): Promise<T> {
    this.deferred.flush();
    return send();
  }

  /** The entry's and the lock's keys (one hash tag). */
  keys(hash: string): { entry: string; lock: string } {
    const base = `${this.options.prefix}:cache:{${hash}}`;
    return { entry: base, lock: `${base}:lock` };
  }
}

/** The flag a fill's live waiters set next to its lock (`LOOKUP`). */
const waitersKey = (lock: string) => `${lock}:w`;

/** A cached entry as the pipeline's result: cost 0 (no tokens were spent), marked HIT. */
export function replay(entry: Exclude<CacheEntry, { kind: 'json' | 'raw' }>, started: number): ExecutionResult {
  if (entry.kind === 'completion') return { kind: 'completion', completion: entry.completion, meta: hitMeta(entry.meta, started), usage: hitUsage(entry.meta) };
  const [head = [], ...rest] = entry.batches;
  return hitResult(entry.meta, head, started, tailOf(rest));
}

/** A stream served from the cache (an entry, or a concurrent fill followed live): cost 0, marked HIT. */
export function hitResult(meta: FillMeta, head: ChatCompletionChunk[], started: number, tail = tailOf([])): StreamResult {
  return { kind: 'stream', head, tail, meta: hitMeta(meta, started), usage: hitUsage(meta) };
}

const hitMeta = (meta: FillMeta, started: number): ExecutionMeta => ({ ...meta, step: 0, attempts: 0, firstByteMs: performance.now() - started, cache: 'HIT' });
const hitUsage = (meta: FillMeta) => ({ provider: meta.provider, model: meta.model, tokens: NO_TOKENS, cost: 0 });

/** A provider's own JSON answer from the cache: cost 0, marked HIT. */
export function replayJson(entry: CacheEntry & { kind: 'json' }, started: number): EndpointJsonResult {
  return { kind: 'json', body: entry.body, meta: hitMeta(entry.meta, started), usage: hitUsage(entry.meta) };
}

/** A provider's own stream from the cache, its bytes in one piece: cost 0, marked HIT. */
export function replayRaw(entry: CacheEntry & { kind: 'raw' }, started: number): EndpointRawResult {
  return { kind: 'raw', contentType: entry.contentType, body: oneBuffer(Buffer.from(entry.body, 'base64')), meta: hitMeta(entry.meta, started), usage: hitUsage(entry.meta) };
}

export const cachedMeta = (meta: ExecutionMeta): CachedMeta => ({ provider: meta.provider, model: meta.model, connectionId: meta.connectionId });

/** A completion's entry. */
export const completionEntry = (result: CompletionResult): CacheEntry => ({ kind: 'completion', completion: result.completion, meta: cachedMeta(result.meta) });

/**
 * Records a stream's chunks, in their batches, as they pass to the client, and hands its entry to `done`
 * only when the stream ended cleanly (its tail finished without an error, a finish reason seen) within
 * `maxBytes`; `abandoned` otherwise (an error, the client leaving, too large). With `live`, each batch is also
 * written for the waiters as it passes (up to `maxBytes`: a larger answer fails them over to their own call),
 * then the end. Wraps `result.tail` in place.
 */
export function captureStream(result: StreamResult, maxBytes: number, done: (entry: CacheEntry) => void, abandoned: () => void, live: LivePublisher | null = null): void {
  const batches: ChatCompletionChunk[][] = result.head.length ? [result.head] : [];
  let bytes = JSON.stringify(result.head).length;
  let finished = result.head.some(isFinal);
  live?.batch(result.head);
  const tail = result.tail;
  result.tail = (async function* () {
    let clean = false;
    try {
      for await (const batch of tail) {
        if (bytes <= maxBytes) {
          bytes += JSON.stringify(batch).length;
          batches.push(batch);
          if (bytes <= maxBytes) live?.batch(batch);
          else live?.finish(false);
        }
        finished ||= batch.some(isFinal);
        yield batch;
      }
      clean = finished && bytes <= maxBytes;
    } finally {
      live?.finish(clean);
      if (clean) done({ kind: 'stream', batches, meta: cachedMeta(result.meta) });
      else abandoned();
    }
  })();
}

const isFinal = (chunk: ChatCompletionChunk): boolean => !!chunk.usage || chunk.choices.some((c) => c.finish_reason !== null && c.finish_reason !== undefined);
