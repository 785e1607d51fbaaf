import { createTestEnvironment, startTcpProxy, viaProxy, type TcpProxy, type TestEnvironment } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { countersFor, reserveNano, type CallFacts, type LimitSubject } from './counters';
import { LimitStore, LimitsUnavailableError } from './limit-store';

const at = (iso: string) => Date.parse(iso);
const call: CallFacts = { provider: 'openai', model: 'm', metadata: {}, estimateTokens: () => 100, estimateCostUsd: () => 0.01 };
let seq = 0;
const member = () => `call-${(seq += 1)}`;

describe('LimitStore (the reservation script against real Redis)', () => {
  let env: TestEnvironment;
  let redis: Redis;
  let store: LimitStore;
  let org = 0;
  /** A fresh organization per test: its counters never meet another test's. */
  const subject = (over: Partial<LimitSubject>): LimitSubject => ({
    organizationId: `org-${(org += 1)}`,
    projectId: 'p',
    keyId: 'k',
    gateway: null,
    key: null,
    customer: null,
    spendRules: [],
    quotas: null,
    connections: [],
    ...over,
  });

  beforeAll(async () => {
    env = await createTestEnvironment();
    redis = new Redis(env.config.redis.url);
    store = new LimitStore(redis, { timeoutMs: 1000 });
    await redis.ping();
  });

  afterAll(async () => {
    await redis?.quit();
    await env?.cleanup();
  });

  const reserveAt = async (s: LimitSubject, iso: string, facts = call) => store.reserve(countersFor(s, facts, at(iso), env.config.redis.prefix), at(iso), member());
  const passes = async (s: LimitSubject, iso: string, n: number) => {
    let ok = 0;
    for (let i = 0; i < n; i += 1) if ((await reserveAt(s, iso)).ok) ok += 1;
    return ok;
  };

  it('fixed window (10 per 10 min): 10 requests at 12:09 and 10 more at 12:11 all pass, as Cloudflare documents', async () => {
    const s = subject({ gateway: { limit: 10, intervalS: 600, technique: 'fixed' } });
    expect(await passes(s, '2026-03-04T12:09:00Z', 10)).toBe(10);
    expect(await passes(s, '2026-03-04T12:09:30Z', 1)).toBe(0);
    expect(await passes(s, '2026-03-04T12:11:00Z', 10)).toBe(10);
  });

  it('sliding window (10 per 10 min): the 10 at 12:11 fail; they pass once the 12:09 requests are 10 minutes old', async () => {
    const s = subject({ gateway: { limit: 10, intervalS: 600, technique: 'sliding' } });
    expect(await passes(s, '2026-03-04T12:09:00Z', 10)).toBe(10);
    const refused = await reserveAt(s, '2026-03-04T12:11:00Z');
    expect(refused).toEqual({ ok: false, index: 0, used: 10, retryAfterMs: 8 * 60_000 });
    expect(await passes(s, '2026-03-04T12:11:00Z', 10)).toBe(0);
    expect(await passes(s, '2026-03-04T12:18:59.999Z', 1)).toBe(0);
    expect(await passes(s, '2026-03-04T12:19:00Z', 10)).toBe(10);
  });

  it('reserves all counters or none: a refusal by one leaves the others untouched', async () => {
    const s = subject({ key: { rpmLimit: 100, tpmLimit: 250, maxParallelRequests: null, maxBudget: null, budgetDuration: null, models: null } });
    const now = '2026-03-04T12:00:10Z';
    expect((await reserveAt(s, now)).ok).toBe(true);
    expect((await reserveAt(s, now)).ok).toBe(true);
    const third = await reserveAt(s, now);
    expect(third).toMatchObject({ ok: false, index: 1, used: 200 });
    const [rpm, tpm] = countersFor(s, call, at(now), env.config.redis.prefix);
    expect(await store.read([rpm!.key, tpm!.key])).toEqual([2, 200]);
  });

  it('settles a budget to the actual cost and releases it on failure', async () => {
    const s = subject({ key: { rpmLimit: null, tpmLimit: null, maxParallelRequests: null, maxBudget: 0.03, budgetDuration: '1d', models: null } });
    const now = '2026-03-04T12:00:00Z';
    const counters = countersFor(s, call, at(now), env.config.redis.prefix);
    for (let i = 0; i < 3; i += 1) expect((await store.reserve(counters, at(now), member())).ok).toBe(true);
    expect((await store.reserve(counters, at(now), member())).ok).toBe(false);
    // One call failed (released), one cost half its reservation (settled).
    await store.release(counters);
    await store.adjust([{ key: counters[0]!.key, delta: reserveNano(0.005) - reserveNano(0.01) }]);
    expect(await store.read([counters[0]!.key])).toEqual([reserveNano(0.015)]);
    expect((await store.reserve(counters, at(now), member())).ok).toBe(true);
  });

  it('holds a settlement back until the next reservation and sends both in one write, the settlement applied first', async () => {
    // A client as the router's shared one: commands sent in one tick are pipelined into one write.
    const shared = new Redis(env.config.redis.url, { enableAutoPipelining: true });
    const store = new LimitStore(shared, { timeoutMs: 1000 });
    await shared.ping();
    const s = subject({ key: { rpmLimit: null, tpmLimit: null, maxParallelRequests: 1, maxBudget: null, budgetDuration: null, models: null } });
    const first = countersFor(s, call, at('2026-03-04T12:00:00Z'), env.config.redis.prefix);
    expect(await store.reserve(first, at('2026-03-04T12:00:00Z'), member())).toMatchObject({ ok: true });
    await store.release(first);
    expect(await store.reserve(first, at('2026-03-04T12:00:00Z'), member())).toMatchObject({ ok: true });
    const socket = shared.stream as unknown as { write: (chunk: unknown, ...rest: unknown[]) => boolean };
    const write = socket.write.bind(socket);
    const writes: string[] = [];
    socket.write = (chunk, ...rest) => (writes.push(String(chunk)), write(chunk, ...rest));
    try {
      // The call ends: its parallel slot is given back, but not sent yet.
      const released = store.release(first);
      await new Promise((r) => setImmediate(r));
      expect(writes).toEqual([]);
      // The next call's reservation takes the slot the release gave back: the release went out first, in its write.
      const next = store.reserve(countersFor(s, call, at('2026-03-04T12:00:01Z'), env.config.redis.prefix), at('2026-03-04T12:00:01Z'), member());
      expect(await next).toMatchObject({ ok: true, used: [1] });
      await released;
      expect(writes).toHaveLength(1);
      expect(writes[0]).toContain(first[0]!.key);
    } finally {
      shared.disconnect();
    }
  });

  it('holds a budget exactly under 200 concurrent reservations', async () => {
    const s = subject({ key: { rpmLimit: null, tpmLimit: null, maxParallelRequests: null, maxBudget: 1, budgetDuration: null, models: null } });
    const now = Date.now();
    const counters = countersFor(s, call, now, env.config.redis.prefix);
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => store.reserve(counters, now, member())));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(100);
  });

  it("reserves the first of a call's connections with room, and reports the full ones", async () => {
    const s = subject({ connections: [{ connectionId: 'a', limit: 1, periodS: 3600 }, { connectionId: 'b', limit: 2, periodS: 3600 }] });
    const now = '2026-03-04T12:00:00Z';
    expect(await reserveAt(s, now)).toEqual({ ok: true, used: [1, -1] });
    expect(await reserveAt(s, now)).toEqual({ ok: true, used: [-2, 1] });
    expect(await reserveAt(s, now)).toEqual({ ok: true, used: [-2, 2] });
    expect(await reserveAt(s, now)).toEqual({ ok: true, used: [-2, -2] });
  });

  it('gives a parallel slot back when the call ends', async () => {
    const s = subject({ key: { rpmLimit: null, tpmLimit: null, maxParallelRequests: 1, maxBudget: null, budgetDuration: null, models: null } });
    const now = Date.now();
    const counters = countersFor(s, call, now, env.config.redis.prefix);
    expect((await store.reserve(counters, now, member())).ok).toBe(true);
    expect((await store.reserve(counters, now, member())).ok).toBe(false);
    await store.release(counters);
    expect((await store.reserve(counters, now, member())).ok).toBe(true);
  });

  it('reports Redis down as LimitsUnavailableError, fast', async () => {
    const target = new URL(env.config.redis.url);
    const proxy: TcpProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const cutRedis = new Redis(viaProxy(env.config.redis.url, proxy), { retryStrategy: () => 50, maxRetriesPerRequest: null });
    try {
      const cutStore = new LimitStore(cutRedis, { timeoutMs: 200 });
      const counters = countersFor(subject({ gateway: { limit: 5, intervalS: 60, technique: 'fixed' } }), call, Date.now(), env.config.redis.prefix);
      await cutRedis.ping();
      expect((await cutStore.reserve(counters, Date.now(), member())).ok).toBe(true);
      proxy.cut();
      const started = Date.now();
      await expect(cutStore.reserve(counters, Date.now(), member())).rejects.toBeInstanceOf(LimitsUnavailableError);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      cutRedis.disconnect();
      await proxy.close();
    }
  });
});
