import { Client } from 'pg';
import { createTestEnvironment, freePort, seedTenant, startServiceProcess, startTcpProxy, viaProxy, type SeededTenant, type ServiceProcess, type TestEnvironment } from '@switchyard/testing';

const N_REQUESTS = 10;
const SPANS_PER_REQUEST = 50;

/** `count` distinct spans in one OTLP JSON request (trace per request, ids derived from `batch`). */
const traceIdOf = (batchNo: number) => `${batchNo.toString(16).padStart(8, '0')}${'e'.repeat(24)}`;

function batch(batchNo: number, count = SPANS_PER_REQUEST): string {
  const traceId = traceIdOf(batchNo);
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId,
    spanId: `${(i + 1).toString(16).padStart(16, '0')}`,
    name: `op-${i}`,
    startTimeUnixNano: String(1_750_000_000_000_000_000n + BigInt(i)),
    endTimeUnixNano: String(1_750_000_000_000_000_000n + BigInt(i) + 1000n),
  }));
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

const send = (url: string, key: string, body: string) =>
  fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } });

describe('collector durability: crashes, PostgreSQL and Redis outages, backpressure', () => {
  let env: TestEnvironment;
  let router: ServiceProcess;
  let tenant: SeededTenant;
  let pg: Client;
  const procs: ServiceProcess[] = [];

  let testNo = 0;
  let traceIds: string[] = [];
  // Each test has its own queue (Redis prefix) and counts only its own traces.
  const start = async (extra: Record<string, string>) => {
    const prefix = `${env.env['REDIS_PREFIX']}-${testNo}`;
    const p = await startServiceProcess('collector', { ...env.env, REDIS_PREFIX: prefix, COLLECTOR_CLAIM_IDLE_MS: '1000', ...extra }, await freePort());
    procs.push(p);
    return p;
  };
  const kill = (p: ServiceProcess) =>
    new Promise<void>((resolve) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
      p.child.once('exit', () => resolve());
      p.child.kill('SIGKILL');
    });
  const stored = async () =>
    Number((await pg.query(`SELECT count(*) AS n FROM spans WHERE project_id = $1 AND trace_id = ANY($2)`, [tenant.projectId, traceIds])).rows[0].n);
  const waitForStored = async (n: number, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while ((await stored()) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 500)); // and nothing more arrives
    return stored();
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    router = await startServiceProcess('router', env.env, await freePort());
    tenant = await seedTenant(router.url, env.config.admin.token);
    pg = new Client({ connectionString: env.databaseUrl });
    await pg.connect();
  }, 60_000);

  beforeEach(() => {
    testNo++;
    traceIds = Array.from({ length: 100 }, (_, i) => traceIdOf(testNo * 100 + i));
  });

  afterEach(async () => {
    await Promise.all(procs.splice(0).map(kill));
  }, 30_000);

  afterAll(async () => {
    await pg?.end();
    await router?.stop();
    await env?.cleanup();
  });

  it('loses nothing when the collector is killed between accept and write', async () => {
    const a = await start({ COLLECTOR_WRITER_ENABLED: 'false' });
    for (let i = 0; i < N_REQUESTS; i++) expect((await send(a.url, tenant.projectKey, batch(testNo * 100 + i))).status).toBe(200);
    // Exporter retries: the same batches again must not duplicate anything.
    for (let i = 0; i < 3; i++) expect((await send(a.url, tenant.projectKey, batch(testNo * 100 + i))).status).toBe(200);
    await kill(a);
    expect(await stored()).toBe(0);
    await start({});
    expect(await waitForStored(N_REQUESTS * SPANS_PER_REQUEST)).toBe(N_REQUESTS * SPANS_PER_REQUEST);
  }, 60_000);

  it('loses nothing when PostgreSQL is unreachable, and the writer dies holding unacknowledged entries', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(env.databaseUrl).port || 5432) });
    try {
      const dbUrl = viaProxy(env.databaseUrl, proxy);
      const a = await start({ DATABASE_URL: dbUrl });
      expect((await send(a.url, tenant.projectKey, batch(testNo * 100))).status).toBe(200); // caches the key while PostgreSQL is up
      expect(await waitForStored(SPANS_PER_REQUEST)).toBe(SPANS_PER_REQUEST);
      proxy.cut();
      for (let i = 1; i < N_REQUESTS; i++) expect((await send(a.url, tenant.projectKey, batch(testNo * 100 + i))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2000)); // the writer has read them and is failing to write
      expect(await stored()).toBe(SPANS_PER_REQUEST);
      await kill(a);
      proxy.restore();
      await start({ DATABASE_URL: dbUrl });
      expect(await waitForStored(N_REQUESTS * SPANS_PER_REQUEST)).toBe(N_REQUESTS * SPANS_PER_REQUEST);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('starts while PostgreSQL is down, keeps accepting past the key cache TTL, and writes once it is back', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(env.databaseUrl).port || 5432) });
    try {
      proxy.cut();
      const a = await start({ DATABASE_URL: viaProxy(env.databaseUrl, proxy), AUTH_CACHE_TTL_MS: '1000' });
      expect((await fetch(`${a.url}/readyz`)).status).toBe(200);
      const unknown = await send(a.url, tenant.projectKey, batch(testNo * 100));
      expect(unknown.status).toBe(503); // the key cannot be checked yet: retryable, not 401
      expect(unknown.headers.get('retry-after')).toBeTruthy();
      // A query naming a project it cannot look up is retryable too, not a 404.
      const query = await fetch(`${a.url}/v1/traces/${traceIdOf(testNo * 100)}?project=${tenant.organizationId}/default`, {
        headers: { authorization: `Bearer ${env.config.admin.token}` },
      });
      expect(query.status).toBe(503);
      proxy.restore();
      let status = 0;
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline && (status = (await send(a.url, tenant.projectKey, batch(testNo * 100))).status) !== 200) await new Promise((r) => setTimeout(r, 300));
      expect(status).toBe(200);
      expect(await waitForStored(SPANS_PER_REQUEST)).toBe(SPANS_PER_REQUEST);
      proxy.cut();
      await new Promise((r) => setTimeout(r, 1500)); // past the key cache TTL: the key is served stale
      for (let i = 1; i < 4; i++) expect((await send(a.url, tenant.projectKey, batch(testNo * 100 + i))).status).toBe(200);
      proxy.restore();
      expect(await waitForStored(4 * SPANS_PER_REQUEST, 30_000)).toBe(4 * SPANS_PER_REQUEST);
    } finally {
      await proxy.close();
    }
  }, 90_000);

  it('resumes writing when PostgreSQL comes back, without a restart', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(env.databaseUrl).port || 5432) });
    try {
      const a = await start({ DATABASE_URL: viaProxy(env.databaseUrl, proxy) });
      expect((await send(a.url, tenant.projectKey, batch(testNo * 100))).status).toBe(200);
      expect(await waitForStored(SPANS_PER_REQUEST)).toBe(SPANS_PER_REQUEST);
      proxy.cut();
      for (let i = 1; i < N_REQUESTS; i++) expect((await send(a.url, tenant.projectKey, batch(testNo * 100 + i))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 3000));
      const ready = await fetch(`${a.url}/readyz`);
      expect(ready.status).toBe(200); // Redis alone decides readiness
      proxy.restore();
      expect(await waitForStored(N_REQUESTS * SPANS_PER_REQUEST)).toBe(N_REQUESTS * SPANS_PER_REQUEST);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('answers 429 with Retry-After over the queue high-water mark', async () => {
    const a = await start({ COLLECTOR_WRITER_ENABLED: 'false', COLLECTOR_QUEUE_HIGH_WATER: String(2 * SPANS_PER_REQUEST) });
    expect((await send(a.url, tenant.projectKey, batch(testNo * 100))).status).toBe(200);
    expect((await send(a.url, tenant.projectKey, batch(testNo * 100 + 1))).status).toBe(200);
    const res = await send(a.url, tenant.projectKey, batch(testNo * 100 + 2));
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ code: 8 });
    // Once a writer drains the queue, the collector accepts again.
    await kill(a);
    const b = await start({ COLLECTOR_QUEUE_HIGH_WATER: String(2 * SPANS_PER_REQUEST) });
    expect(await waitForStored(2 * SPANS_PER_REQUEST)).toBe(2 * SPANS_PER_REQUEST);
    expect((await send(b.url, tenant.projectKey, batch(testNo * 100 + 2))).status).toBe(200);
  }, 60_000);

  it('answers 503 with Retry-After when Redis is unreachable', async () => {
    const redisUrl = new URL(env.config.redis.url);
    const proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    try {
      const a = await start({ REDIS_URL: viaProxy(env.config.redis.url, proxy).replace(/\/$/, '') });
      expect((await send(a.url, tenant.projectKey, batch(testNo * 100))).status).toBe(200);
      proxy.cut();
      await new Promise((r) => setTimeout(r, 500));
      const res = await send(a.url, tenant.projectKey, batch(testNo * 100 + 1));
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await res.json()).toMatchObject({ code: 14 });
      proxy.restore();
      const deadline = Date.now() + 10_000;
      let status = 0;
      while (Date.now() < deadline && (status = (await send(a.url, tenant.projectKey, batch(testNo * 100 + 1))).status) !== 200) await new Promise((r) => setTimeout(r, 300));
      expect(status).toBe(200);
      expect(await waitForStored(2 * SPANS_PER_REQUEST)).toBe(2 * SPANS_PER_REQUEST);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});
