import type { ResolvedConnection } from '@switchyard/auth';
import { LimitStore } from '@switchyard/metering';
import { createTestEnvironment, type TestEnvironment } from '@switchyard/testing';
import { Redis } from 'ioredis';
import type { RouteTarget } from '../resolve-model';
import { ConnectionGate } from './connection-gate';

const conn = (id: string, provider: string, rateLimit: number | null): ResolvedConnection =>
  ({ id, organizationId: 'o', provider, slug: id, name: id, baseUrl: null, isDefault: false, credentials: {}, rateLimit, rateLimitPeriod: rateLimit ? 3600 : null }) as ResolvedConnection;
const target = (c: ResolvedConnection): RouteTarget => ({ connection: c, upstreamModel: 'm', requested: 'm' });

describe('ConnectionGate (connections reserved as the executor moves to them, against real Redis)', () => {
  let env: TestEnvironment;
  let redis: Redis;
  let store: LimitStore;
  let org = 0;

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

  /** A gate over these connections of a fresh organization, counting the calls to Redis. */
  const gateOver = (connections: ResolvedConnection[], counted: string[] = [], over: { store?: LimitStore; failOpen?: boolean } = {}) => {
    const calls = { reserve: 0 };
    const used = over.store ?? store;
    const counting = { reserve: (...args: Parameters<LimitStore['reserve']>) => ((calls.reserve += 1), used.reserve(...args)) } as unknown as LimitStore;
    const organizationId = `gate-org-${(org += 1)}-${Date.now()}`;
    const deps = { store: counting, directory: { connectionsOf: async () => connections }, redisPrefix: env.config.redis.prefix, clock: Date.now };
    const make = () => new ConnectionGate(deps, organizationId, over.failOpen ?? false, new Set(counted));
    return { make, calls };
  };

  it('passes a counted or unlimited connection at once, with no Redis call', () => {
    const a = conn('a', 'openai', 3);
    const free = conn('free', 'openai', null);
    const { make, calls } = gateOver([a, free], ['a']);
    const gate = make();
    expect(gate.enter(target(a))).toMatchObject({ connection: a });
    expect(gate.enter(target(free))).toMatchObject({ connection: free });
    expect(calls.reserve).toBe(0);
  });

  it('reserves a limited connection once per call, then moves to a sibling with room, then refuses with a 429 naming the connection limit', async () => {
    const a = conn('a', 'openai', 2);
    const b = conn('b', 'openai', 1);
    const other = conn('x', 'anthropic', null);
    const { make, calls } = gateOver([a, b, other]);
    const chosen: (string | null)[] = [];
    for (let i = 0; i < 4; i += 1) {
      const gate = make();
      const entered = await gate.enter(target(a));
      chosen.push(entered?.connection.id ?? null);
      // The same connection again in the same call (a later target on it) is not counted twice.
      if (entered) expect(gate.enter(target(entered.connection))).toMatchObject({ connection: entered.connection });
      else {
        expect(gate.refusal).toMatchObject({ status: 429, code: 'connection_rate_limit_exceeded', param: 'rate_limit', type: 'rate_limit_error' });
        expect(Number(gate.refusal!.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(chosen).toEqual(['a', 'a', 'b', null]);
    expect(calls.reserve).toBe(4);
  });

  it('never moves to a connection the call already used; an unlimited sibling comes after the limited ones with room', async () => {
    const a = conn('a', 'openai', 1);
    const b = conn('b', 'openai', 5);
    const c = conn('c', 'openai', 5);
    const { make } = gateOver([a, c, b], ['c']);
    expect((await make().enter(target(a)))?.connection.id).toBe('a');
    expect((await make().enter(target(a)))?.connection.id).toBe('b');
    const free = conn('free', 'openai', null);
    const { make: make2 } = gateOver([a, free, b]);
    expect((await make2().enter(target(a)))?.connection.id).toBe('a');
    expect((await make2().enter(target(a)))?.connection.id).toBe('b');
    const usedFree = make2();
    expect(usedFree.enter(target(free))).toMatchObject({ connection: free });
    for (let i = 0; i < 4; i += 1) expect((await make2().enter(target(a)))?.connection.id).toBe('b');
    expect((await make2().enter(target(a)))?.connection.id).toBe('free');
    expect(await usedFree.enter(target(a))).toBeNull();
  });

  it('with Redis down: lets the target through when the project fails rate limits open, else 503', async () => {
    const down = new Redis({ lazyConnect: true });
    try {
      const a = conn('a', 'openai', 1);
      const downStore = new LimitStore(down, { timeoutMs: 50 });
      await expect(gateOver([a], [], { store: downStore, failOpen: true }).make().enter(target(a))).resolves.toMatchObject({ connection: a });
      await expect(gateOver([a], [], { store: downStore }).make().enter(target(a))).rejects.toMatchObject({ status: 503, code: 'limits_unavailable' });
    } finally {
      down.disconnect();
    }
  });
});
