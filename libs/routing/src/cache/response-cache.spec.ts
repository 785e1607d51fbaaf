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
    expect(redis.syCacheRelease).toHaveBeenCalledWith('t:cache:{h}:lock', 'tok');
  });
});
