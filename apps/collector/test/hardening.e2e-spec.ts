import { Agent } from 'node:http';
import fc from 'fast-check';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseConfig } from '@switchyard/config';
import {
  createTestEnvironment,
  freePort,
  assertNo5xx,
  hostileJsonBodies,
  httpJson,
  rawRequest,
  seedTenant,
  startServiceProcess,
  startTcpProxy,
  viaProxy,
  withField,
  type SeededTenant,
  type ServiceProcess,
  type TcpProxy,
  type TestEnvironment,
} from '@switchyard/testing';
import { startCollector } from '../src/bootstrap';

const run = (id: string) => ({ id, name: 'Workflow', type: 'workflow', trace_id: 't', source_id: 's', start_time: '2024-05-01T10:00:00Z', end_time: '2024-05-01T10:00:01Z', status: 'succeeded' });
const spans = (traceId: string) => ({
  resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [{ traceId, spanId: '00f067aa0ba902b7', name: 'x', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000500000000' }] }] }],
});

/** Issue 18 at the collector: depth (2), early refusal on keep-alive (1), a silent PostgreSQL partition (6), fuzz. */
describe('collector hardening', () => {
  let env: TestEnvironment;
  let router: ServiceProcess;
  let proxy: TcpProxy;
  let collector: NestFastifyApplication;
  let url: string;
  let tenant: SeededTenant;

  beforeAll(async () => {
    env = await createTestEnvironment();
    const db = new URL(env.databaseUrl);
    proxy = await startTcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
    // The collector reaches PostgreSQL through the proxy, with short pool timeouts and a short key cache.
    const config = parseConfig({
      ...env.env,
      DATABASE_URL: viaProxy(env.databaseUrl, proxy),
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      DATABASE_STATEMENT_TIMEOUT_MS: '1500',
      AUTH_CACHE_TTL_MS: '1000',
      AUTH_STALE_AFTER_MS: '300',
    });
    router = await startServiceProcess('router', env.env, await freePort());
    collector = await startCollector(config, 0);
    url = (await collector.getUrl()).replace('[::1]', '127.0.0.1');
    tenant = await seedTenant(router.url, env.config.admin.token);
  });

  afterAll(async () => {
    proxy?.restore();
    await collector?.close();
    await router?.stop();
    await proxy?.close();
    await env?.cleanup();
  });

  const post = (body: string, agent?: Agent, contentType = 'application/json') =>
    rawRequest(`${url}/v1/traces`, { agent, headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': contentType }, chunks: [body] });

  it('item 2: Dynamiq runs whose input nests 5,000 levels get a 400 naming the limit, in the Dynamiq shape', async () => {
    const body = `{"runs":[${withField(run('deep'), 'input', '['.repeat(5_000) + ']'.repeat(5_000))}]}`;
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toEqual({ code: 'bad_request', message: expect.any(String), details: { reason: 'json_too_deep' } });
    expect(JSON.parse(res.body).error.message).toContain('256');
    const otlp = await post(withField(spans('0af7651916cd43dd8448eb211c80319c'), 'x', '['.repeat(5_000) + ']'.repeat(5_000)));
    expect(otlp.status).toBe(400);
    expect(JSON.parse(otlp.body)).toMatchObject({ code: 3 });
  });

  it('item 1: after a 415 with a large body, the next export on the same keep-alive agent is answered', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = await post('x'.repeat(4 * 1024 * 1024), agent, 'text/plain');
      expect(refused.status).toBe(415);
      const next = await post(JSON.stringify({ runs: [run('after-refusal')] }), agent);
      expect(next.status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('fuzz /v1/traces: random and adversarial OTLP and Dynamiq JSON never gets a 5xx, and the collector keeps serving', async () => {
    let n = 0;
    const dynamiq = hostileJsonBodies(['runs', 'id', 'name', 'type', 'input', 'output', 'status', 'start_time'], () => ({ runs: [run(`fuzz-${n++}`)] }));
    const otlp = hostileJsonBodies(['resourceSpans', 'scopeSpans', 'spans', 'attributes', 'traceId', 'spanId'], () => spans('0af7651916cd43dd8448eb211c80319c'));
    await assertNo5xx(fc.oneof(dynamiq, otlp), post, 60);
    expect((await httpJson(`${url}/healthz`)).status).toBe(200);
  }, 120_000);

  it('item 6: with PostgreSQL silent, a known key is served from the cache within the stale bound, and the query APIs answer 503 with Retry-After', async () => {
    // The key is known (and its project) before the partition.
    expect((await post(JSON.stringify({ runs: [run('before')] }))).status).toBe(200);
    expect((await httpJson(`${url}/v1/runs`, { token: tenant.projectKey })).status).toBe(200);
    proxy.blackhole();
    try {
      await new Promise((r) => setTimeout(r, 1_200)); // the cached key and project have expired
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const res = await post(JSON.stringify({ runs: [run(`during-${i}`)] }));
        expect(res.status).toBe(200);
        expect(Date.now() - started).toBeLessThan(1_500);
      }
      for (const path of ['/v1/runs', '/v1/traces?limit=5']) {
        const started = Date.now();
        const res = await httpJson(`${url}${path}`, { token: tenant.projectKey });
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(res.body.error.code).toBe('database_unavailable');
        expect(Date.now() - started).toBeLessThan(6_000);
      }
    } finally {
      proxy.restore();
    }
    // Once the partition heals, the runs accepted during it are written and queryable.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await httpJson(`${url}/v1/runs?limit=50`, { token: tenant.projectKey });
      const ids = res.status === 200 ? (res.body.data as { id: string }[]).map((r) => r.id) : [];
      if (['during-0', 'during-1', 'during-2'].every((id) => ids.includes(id))) break;
      if (Date.now() > deadline) throw new Error(`runs not written after the partition: ${res.status} ${res.text.slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }, 60_000);
});
