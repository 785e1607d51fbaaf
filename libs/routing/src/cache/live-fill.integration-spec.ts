import { createTestEnvironment, type TestEnvironment } from '@switchyard/testing';
import type { ChatCompletionChunk } from '@switchyard/types';
import { Redis } from 'ioredis';
import { LiveFeeds, LiveFillFailed, LivePublisher } from './live-fill';
import { ResponseCache } from './response-cache';

const chunk = (content: string, finish: 'stop' | null = null): ChatCompletionChunk => ({
  id: 'chatcmpl-live',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta: { content }, finish_reason: finish }],
});
const meta = { provider: 'openai', model: 'm', connectionId: 'c1' };

describe('live fills (a filler writes its stream to Redis, waiters on other connections read it as it grows)', () => {
  let env: TestEnvironment;
  let redis: Redis;
  let feeds: LiveFeeds;
  let opened: Redis[];
  let n = 0;
  const key = () => `${env.config.redis.prefix}:live-test:${(n += 1)}`;
  /** A publisher whose fill a waiter has announced itself for (the flag its lookup sets). */
  const announced = async (k: string) => {
    await redis.set(`${k}:w`, '1', 'PX', 5000);
    return new LivePublisher(redis, k, `${k}:w`, 5000, meta);
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    redis = new Redis(env.config.redis.url, { enableAutoPipelining: true });
    opened = [];
    feeds = new LiveFeeds({ connect: () => opened[opened.push(new Redis(env.config.redis.url)) - 1]!, maxFeeds: 2, idleMs: 400, blockMs: 100 });
  });

  afterAll(async () => {
    feeds?.close();
    for (const c of opened ?? []) c.disconnect();
    await redis?.quit();
    await env?.cleanup();
  });

  const next = async (it: AsyncGenerator<ChatCompletionChunk[]>) => (await it.next()).value as ChatCompletionChunk[] | undefined;

  it('relays each batch as it is written, in its batches, to every local waiter from the start, then ends', async () => {
    const k = key();
    const publisher = await announced(k);
    const feed = feeds.follow(k)!;
    expect(feeds.follow(k)).toBe(feed);
    const first = feed.read();
    publisher.batch([chunk('one '), chunk('two ')]);
    expect(await next(first)).toEqual([chunk('one '), chunk('two ')]);
    expect(feed.meta).toEqual(meta);
    // The second waiter joins late: it starts from the first batch too.
    const second = feed.read();
    publisher.batch([chunk('three', 'stop')]);
    publisher.finish(true);
    expect(await next(first)).toEqual([chunk('three', 'stop')]);
    expect(await first.next()).toEqual({ done: true, value: undefined });
    const all: ChatCompletionChunk[][] = [];
    for await (const b of second) all.push(b);
    expect(all).toEqual([[chunk('one '), chunk('two ')], [chunk('three', 'stop')]]);
    expect(await redis.pttl(k)).toBeGreaterThan(0);
  });

  it('a failed fill fails its waiters after what was written', async () => {
    const k = key();
    const publisher = await announced(k);
    publisher.batch([chunk('partial')]);
    // Its flag read has come back (before that, the fill's own script would tell the waiter: see below).
    await new Promise((r) => setTimeout(r, 50));
    publisher.finish(false);
    publisher.batch([chunk('ignored after the end')]);
    const it = feeds.follow(k)!.read();
    expect(await next(it)).toEqual([chunk('partial')]);
    await expect(it.next()).rejects.toBeInstanceOf(LiveFillFailed);
    expect(await redis.xlen(k)).toBe(2);
  });

  it('writes nothing while no waiter has announced itself; once one has, what it had so far first, then the rest', async () => {
    const k = key();
    const publisher = new LivePublisher(redis, k, `${k}:w`, 5000, meta);
    publisher.batch([chunk('one ')]);
    publisher.batch([chunk('two ')]);
    await new Promise((r) => setTimeout(r, 50));
    expect(await redis.exists(k)).toBe(0);
    expect(publisher.tellsWaiters).toBe(false);
    await redis.set(`${k}:w`, '1', 'PX', 5000);
    publisher.batch([chunk('three', 'stop')]);
    const all: ChatCompletionChunk[][] = [];
    const reading = (async () => {
      for await (const b of feeds.follow(k)!.read()) all.push(b);
    })();
    await new Promise((r) => setTimeout(r, 50));
    expect(publisher.tellsWaiters).toBe(true);
    publisher.finish(true);
    await reading;
    expect(all).toEqual([[chunk('one ')], [chunk('two ')], [chunk('three', 'stop')]]);

    // Nobody waits to the end: no stream at all.
    const alone = key();
    const quiet = new LivePublisher(redis, alone, `${alone}:w`, 5000, meta);
    quiet.batch([chunk('solo', 'stop')]);
    quiet.finish(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(await redis.exists(alone)).toBe(0);
    expect(quiet.tellsWaiters).toBe(false);
  });

  it('a waiter that announces itself after the filler last looked is told by the fill itself to look again, and finds the entry', async () => {
    const own: Redis[] = [];
    const cache = new ResponseCache({ redis, prefix: `${env.config.redis.prefix}:lf${(n += 1)}`, maxEntryBytes: 100_000, lockMs: 5000, live: { connect: () => own[own.push(new Redis(env.config.redis.url)) - 1]!, maxFeeds: 2 } });
    try {
      const filler = await cache.lookup('h', undefined, true);
      if (!('fill' in filler) || !filler.fill) throw new Error('the first look takes the lock');
      const publisher = cache.publisher('h', filler.fill, meta)!;
      publisher.batch([chunk('all at once', 'stop')]);
      await new Promise((r) => setTimeout(r, 50));
      const waiter = await cache.lookup('h', undefined, true);
      if (!('follow' in waiter)) throw new Error('the second look follows the fill');
      publisher.finish(true);
      expect(publisher.tellsWaiters).toBe(false);
      await cache.fill('h', filler.fill, { kind: 'stream', batches: [[chunk('all at once', 'stop')]], meta }, 60, true);
      const read: ChatCompletionChunk[][] = [];
      for await (const b of waiter.follow.read()) read.push(b);
      expect(read).toEqual([]);
      expect(waiter.follow.meta).toBeNull();
      expect(await cache.lookup('h', undefined, true)).toMatchObject({ hit: { kind: 'stream', batches: [[chunk('all at once', 'stop')]] } });
      expect(await redis.exists(`${cache.keys('h').lock}:w`)).toBe(0);
    } finally {
      cache.close();
      for (const c of own) c.disconnect();
    }
  });

  it('a fill that writes nothing for idleMs (its filler died) fails its waiters: no hang', async () => {
    const k = key();
    const started = Date.now();
    const it = feeds.follow(k)!.read();
    await expect(it.next()).rejects.toThrow('wrote nothing for 400 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('follows at most maxFeeds fills at once; their connections are reused afterwards', async () => {
    const a = feeds.follow(key());
    const b = feeds.follow(key());
    expect(a && b).toBeTruthy();
    expect(feeds.follow(key())).toBeNull();
    await Promise.allSettled([a!.read().next(), b!.read().next()]);
    await new Promise((r) => setTimeout(r, 50));
    expect(feeds.follow(key())).not.toBeNull();
    expect(opened.length).toBeLessThanOrEqual(2);
  });
});
