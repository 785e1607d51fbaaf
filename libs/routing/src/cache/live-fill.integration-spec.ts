import { createTestEnvironment, type TestEnvironment } from '@switchyard/testing';
import type { ChatCompletionChunk } from '@switchyard/types';
import { Redis } from 'ioredis';
import { LiveFeeds, LiveFillFailed, LivePublisher } from './live-fill';

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
    const publisher = new LivePublisher(redis, k, 5000, meta);
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
    const publisher = new LivePublisher(redis, k, 5000, meta);
    publisher.batch([chunk('partial')]);
    publisher.finish(false);
    publisher.batch([chunk('ignored after the end')]);
    const it = feeds.follow(k)!.read();
    expect(await next(it)).toEqual([chunk('partial')]);
    await expect(it.next()).rejects.toBeInstanceOf(LiveFillFailed);
    expect(await redis.xlen(k)).toBe(2);
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
