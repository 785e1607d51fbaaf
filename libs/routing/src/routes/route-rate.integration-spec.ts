import { LimitStore, type LimitCounter } from '@switchyard/metering';
import { createTestEnvironment, type TestEnvironment } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { compileRoute, parseRouteDocument, type CompiledElement } from './route-document';
import { routeCostTicket, routeRateLimiter, type RouteRateScope } from './route-rate';

type RateElement = Extract<CompiledElement, { type: 'rate' }>;

const rateElement = (properties: Record<string, unknown>): RateElement => {
  const route = compileRoute(
    parseRouteDocument({
      elements: [
        { id: 's', type: 'start', outputs: { next: { elementId: 'r' } } },
        { id: 'r', type: 'rate', properties, outputs: { success: { elementId: 'm' } } },
        { id: 'm', type: 'model', properties: { provider: 'openai', model: 'gpt-4o-mini' }, outputs: { success: { elementId: 'e' } } },
        { id: 'e', type: 'end' },
      ],
    }),
  );
  return route.elements.get('r') as RateElement;
};

/** Rate elements over the real LimitStore: two processes' clients share one count. */
describe('route rate elements (Redis)', () => {
  let env: TestEnvironment;
  let a: Redis;
  let b: Redis;
  const scope: RouteRateScope = { projectId: 'p1', route: 'support', failOpen: false };

  beforeAll(async () => {
    env = await createTestEnvironment();
    a = new Redis(env.config.redis.url);
    b = new Redis(env.config.redis.url);
    await Promise.all([a.ping(), b.ping()]);
  });

  afterAll(async () => {
    a?.disconnect();
    b?.disconnect();
    await env?.cleanup();
  });

  it.each(['fixed', 'sliding'])('a %s limit of 50 admits exactly 50 of 120 concurrent requests across two replicas', async (technique) => {
    const element = rateElement({ key: 'metadata.user_id', limit: 50, window: 60, technique });
    const limiters = [routeRateLimiter(new LimitStore(a, { timeoutMs: 2000 }), env.config.redis.prefix), routeRateLimiter(new LimitStore(b, { timeoutMs: 2000 }), env.config.redis.prefix)];
    const outcomes = await Promise.all(Array.from({ length: 120 }, (_, i) => limiters[i % 2]!({ ...scope, route: technique }, element, 'u1')));
    expect(outcomes.filter(Boolean)).toHaveLength(50);
    // Another key value has its own count.
    expect(await limiters[0]!({ ...scope, route: technique }, element, 'u2')).toBe(true);
  });

  it('starts a new count in the next fixed window', async () => {
    let now = Date.UTC(2026, 0, 1, 0, 0, 30);
    const limiter = routeRateLimiter(new LimitStore(a, { timeoutMs: 2000 }), env.config.redis.prefix, () => now);
    const element = rateElement({ key: 'metadata.user_id', limit: 1, window: 60 });
    expect(await limiter({ ...scope, route: 'windows' }, element, 'u1')).toBe(true);
    expect(await limiter({ ...scope, route: 'windows' }, element, 'u1')).toBe(false);
    now += 30_000;
    expect(await limiter({ ...scope, route: 'windows' }, element, 'u1')).toBe(true);
  });

  it('a cost limit admits while the settled spend of the key value is below it, across replicas', async () => {
    const stores = [new LimitStore(a, { timeoutMs: 2000 }), new LimitStore(b, { timeoutMs: 2000 })];
    const limiters = stores.map((s) => routeRateLimiter(s, env.config.redis.prefix));
    const element = rateElement({ key: 'metadata.user_id', limit: 5, limitType: 'cost', window: 86400 });
    const costScope = { ...scope, route: 'budget' };
    const usage = (cost: number | null) => ({ provider: 'openai', model: 'gpt-4.1', tokens: { input: 1, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: 1 }, cost });
    // $2 + $2 settled: still below $5.
    for (const i of [0, 1]) {
      const holds: LimitCounter[] = [];
      expect(await limiters[i]!(costScope, element, 'u1', holds)).toBe(true);
      expect(holds).toHaveLength(1);
      routeCostTicket(stores[i]!, holds).settle(usage(2));
    }
    // A failed call gives its reservation back; an unpriced one costs 0.
    const failed: LimitCounter[] = [];
    expect(await limiters[0]!(costScope, element, 'u1', failed)).toBe(true);
    routeCostTicket(stores[0]!, failed).release();
    const third: LimitCounter[] = [];
    expect(await limiters[1]!(costScope, element, 'u1', third)).toBe(true);
    routeCostTicket(stores[1]!, third).settle(usage(1.5));
    await new Promise((r) => setTimeout(r, 50));
    // $5.50 spent: over the limit for u1 on both replicas, u2 untouched.
    expect(await limiters[0]!(costScope, element, 'u1', [])).toBe(false);
    expect(await limiters[1]!(costScope, element, 'u1', [])).toBe(false);
    expect(await limiters[0]!(costScope, element, 'u2', [])).toBe(true);
  });

  it('follows the project when Redis is unreachable', async () => {
    const down = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0 });
    const offline = routeRateLimiter(new LimitStore(down, { timeoutMs: 200 }), env.config.redis.prefix);
    const element = rateElement({ key: 'metadata.user_id', limit: 5, window: 60 });
    expect(await offline({ ...scope, failOpen: true }, element, 'u1')).toBe(true);
    expect(await offline({ ...scope, failOpen: false }, element, 'u1')).toBe(false);
    down.disconnect();
  });
});
