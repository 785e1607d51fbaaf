import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { REDIS_CLIENT } from '@switchyard/persistence';
import { httpJson, type MockOpenAIServer, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import type { Redis } from 'ioredis';
import { APIError, type OpenAI } from 'openai';
import { startRouterFixture, type RouterFixture } from './router-fixture';

/** One Redis command the router sent: its keys and arguments, and how many of the recorded commands had been answered before it went out. */
interface Sent {
  args: string;
  answeredBefore: number;
}

/**
 * Governance in one Redis round trip (issue 12): a project with a gateway rate limit, a key budget, a spend rule and
 * the cache on sends the limits reservation and the cache look together, before either is answered.
 */
describe('governance in one Redis round trip', () => {
  let fx: RouterFixture;
  let env: TestEnvironment, router: NestFastifyApplication, url: string, upstream: MockOpenAIServer, tenant: SeededTenant, client: OpenAI;
  let sent: Sent[] = [];
  let answered = 0;
  /** What the router's shared client wrote to its Redis socket, one string per write. */
  let writes: string[] = [];
  let n = 0;
  const fresh = () => `round trip ${++n} ${Date.now()}`;

  const admin = (path: string, init: { method?: string; body?: unknown } = {}) => httpJson(`${url}/v1/admin${path}`, { token: env.config.admin.token, ...init });
  const ask = (content: string) => client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content }] }).withResponse();
  // The look names the entry, its lock and the waiters' flag; a fill or a lock's release also names the live stream.
  const isLook = (s: Sent) => s.args.includes(':cache:') && s.args.includes(':lock') && !s.args.includes(':live:');
  const isReserve = (s: Sent) => s.args.includes(`:p:${tenant.projectId}:gw`);

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-round-trip-0123456789' });
    ({ env, router, url, upstream, tenant, client } = fx);
    const keys = await admin(`/access-keys?organization_id=${tenant.organizationId}`);
    const keyId = (keys.body.data as { id: string; project_id: string | null }[]).find((k) => k.project_id)!.id;
    expect((await admin(`/access-keys/${keyId}`, { method: 'PATCH', body: { max_budget: 1000, budget_duration: '1d' } })).status).toBe(200);
    const rule = await admin(`/organizations/${tenant.organizationId}/projects/default/spend-rules`, { body: { name: 'cap', amount: 1000, window: 86_400 } });
    expect(rule.status).toBe(201);

    // Every command the router's shared client sends (EVALSHA of the scripts included), and when the recorded ones are answered.
    const redis = router.get<Redis>(REDIS_CLIENT);
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((command: { args: unknown[]; promise: Promise<unknown> }, ...rest: unknown[]) => {
      sent.push({ args: command.args.map(String).join(' '), answeredBefore: answered });
      command.promise.then(
        () => (answered += 1),
        () => (answered += 1),
      );
      return (send as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof redis.sendCommand;
    const socket = redis.stream as unknown as { write: (chunk: unknown, ...rest: unknown[]) => boolean };
    const write = socket.write.bind(socket);
    socket.write = (chunk, ...rest) => {
      writes.push(String(chunk));
      return write(chunk, ...rest);
    };
  });

  afterAll(() => fx?.close());

  const settings = (body: Record<string, unknown>) => fx.settings(body);

  it('sends the limits reservation and the cache look before either is answered; a HIT too', async () => {
    expect((await settings({ cache_ttl: 600, rate_limiting_limit: 1_000_000, rate_limiting_interval: 60, rate_limiting_technique: 'fixed' })).status).toBe(200);
    await ask(fresh()); // loads the scripts into Redis (a first EVALSHA answers NOSCRIPT)

    const q = fresh();
    sent = [];
    writes = [];
    const miss = await ask(q);
    expect(miss.response.headers.get('x-gateway-cache-status')).toBe('MISS');
    const look = sent.find(isLook)!;
    const reserve = sent.find(isReserve)!;
    expect(look).toBeDefined();
    expect(reserve).toBeDefined();
    // The reservation names every counter of the call in the one script: gateway limit, key budget and spend rule.
    expect(reserve.args).toContain(':usd:1d:');
    expect(reserve.args).toContain(`:p:${tenant.projectId}:r:`);
    // Both went out before any command of the call was answered: one round trip, not one per feature.
    const first = Math.min(look.answeredBefore, reserve.answeredBefore);
    expect(look.answeredBefore).toBe(first);
    expect(reserve.answeredBefore).toBe(first);
    // In fact in one write to the socket (the script calls of one tick leave in one write: `RedisScript`).
    const lockKey = look.args.split(' ').find((a) => a.endsWith(':lock'))!;
    expect(writes.filter((w) => w.includes(lockKey) && w.includes(`:p:${tenant.projectId}:gw`))).toHaveLength(1);

    sent = [];
    const hit = await ask(q);
    expect(hit.response.headers.get('x-gateway-cache-status')).toBe('HIT');
    expect(sent.find(isLook)!.answeredBefore).toBe(sent.find(isReserve)!.answeredBefore);
    expect(upstream.requests).toHaveLength(2);
  });

  it('a call refused by admission frees the fill lock its look took', async () => {
    expect((await settings({ cache_ttl: 600, rate_limiting_limit: 1, rate_limiting_interval: 3600, rate_limiting_technique: 'sliding' })).status).toBe(200);
    await ask(fresh());
    sent = [];
    const refused = await ask(fresh()).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(APIError);
    expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    const lock = sent.find(isLook)!.args.split(' ').find((a) => a.endsWith(':lock'))!;
    const redis = router.get<Redis>(REDIS_CLIENT);
    const deadline = Date.now() + 2000;
    while ((await redis.exists(lock)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await redis.exists(lock)).toBe(0);
  });
});
