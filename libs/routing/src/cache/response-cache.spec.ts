import type { Redis } from 'ioredis';
import { CacheUnavailableError, ResponseCache } from './response-cache';

describe('ResponseCache', () => {
  it('gives up a look that Redis does not answer in time (fail open), instead of holding the request', async () => {
    const redis = { defineCommand: jest.fn(), syCacheLookup: jest.fn(() => new Promise(() => undefined)) };
    const cache = new ResponseCache({ redis: redis as unknown as Redis, prefix: 't', maxEntryBytes: 1000, lockMs: 5000, lookTimeoutMs: 20 });
    const started = Date.now();
    await expect(cache.lookup('h')).rejects.toBeInstanceOf(CacheUnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('waits for a concurrent filler, then serves its entry; takes the lock itself when the filler let go', async () => {
    const answers: [number, string?][] = [[3], [3], [1, JSON.stringify({ kind: 'completion', completion: { id: 'x' }, meta: {} })]];
    const redis = { defineCommand: jest.fn(), syCacheLookup: jest.fn(async () => answers.shift()!) };
    const cache = new ResponseCache({ redis: redis as unknown as Redis, prefix: 't', maxEntryBytes: 1000, lockMs: 5000, pollMs: 1 });
    expect(await cache.lookup('h')).toMatchObject({ hit: { completion: { id: 'x' } } });
    expect(redis.syCacheLookup).toHaveBeenCalledTimes(3);
    answers.push([3], [2]);
    expect(await cache.lookup('h')).toEqual({ fill: expect.any(String) });
    expect(cache.keys('h')).toEqual({ entry: 't:cache:{h}', lock: 't:cache:{h}:lock' });
  });

  it('sends the first look at once, and stops waiting for a filler when told to (the call was refused)', async () => {
    const redis = { defineCommand: jest.fn(), syCacheLookup: jest.fn(async (): Promise<[number]> => [3]) };
    const cache = new ResponseCache({ redis: redis as unknown as Redis, prefix: 't', maxEntryBytes: 1000, lockMs: 5000, pollMs: 5 });
    const stop = new AbortController();
    const found = cache.lookup('h', stop.signal);
    expect(redis.syCacheLookup).toHaveBeenCalledTimes(1);
    stop.abort();
    expect(await found).toEqual({ fill: null });
    expect(redis.syCacheLookup).toHaveBeenCalledTimes(1);
  });

  it('does not store an entry over the size cap (and frees the lock)', async () => {
    const redis = { defineCommand: jest.fn(), syCacheFill: jest.fn(async () => 1), syCacheRelease: jest.fn(async () => 1) };
    const cache = new ResponseCache({ redis: redis as unknown as Redis, prefix: 't', maxEntryBytes: 50, lockMs: 5000 });
    const big = { kind: 'completion' as const, completion: { id: 'x'.repeat(100), object: 'chat.completion' as const, created: 1, model: 'm', choices: [] }, meta: { provider: 'openai', model: 'm', connectionId: 'c' } };
    await cache.fill('h', 'tok', big, 60);
    expect(redis.syCacheFill).not.toHaveBeenCalled();
    expect(redis.syCacheRelease).toHaveBeenCalledWith('t:cache:{h}:lock', 't:cache:{h}:lock:w', 't:cache:{h}:live:tok', 'tok', '0', 5000);
  });

  it('a stream lookup follows a concurrent fill live, read from the key its lock token names; a JSON lookup keeps waiting for the entry', async () => {
    const answers: [number, string?][] = [[3, 'tok'], [3, 'tok'], [2]];
    const redis = { defineCommand: jest.fn(), syCacheLookup: jest.fn(async () => answers.shift()!) };
    const batch = [{ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }] }];
    const fields = ['m', JSON.stringify({ provider: 'openai', model: 'm', connectionId: 'c' }), 'b', JSON.stringify([batch]), 'e', '1'];
    const conn = { xread: jest.fn(async (...args: unknown[]) => [[args.at(-2), [['1-0', fields]]]]), disconnect: jest.fn() };
    const connect = jest.fn(() => conn as unknown as Redis);
    const cache = new ResponseCache({ redis: redis as unknown as Redis, prefix: 't', maxEntryBytes: 1000, lockMs: 5000, pollMs: 1, live: { connect, maxFeeds: 1 } });
    const found = await cache.lookup('h', undefined, true);
    if (!('follow' in found)) throw new Error('a fill to follow');
    const read = [];
    for await (const b of found.follow.read()) read.push(b);
    expect(read).toEqual([batch]);
    expect(found.follow.meta).toEqual({ provider: 'openai', model: 'm', connectionId: 'c' });
    expect(conn.xread).toHaveBeenCalledWith('COUNT', 100, 'BLOCK', expect.any(Number), 'STREAMS', 't:cache:{h}:live:tok', '0');
    expect(await cache.lookup('h')).toEqual({ fill: expect.any(String) });
    expect(redis.syCacheLookup).toHaveBeenCalledTimes(3);
    cache.close();
    expect(conn.disconnect).toHaveBeenCalled();
  });
});
