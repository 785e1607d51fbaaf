import {
  createTestEnvironment,
  freePort,
  httpJson,
  MockOpenAIServer,
  seedTenant,
  startServiceProcess,
  type SeededTenant,
  type ServiceProcess,
  type TestEnvironment,
} from '@switchyard/testing';
import OpenAI, { APIError } from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * Limits exact across replicas: two router processes (the built `dist/` entry, `npm run build` first) share
 * one Redis and one database; each test fires its requests at both at once.
 */
describe('rate limits, budgets and quotas across two routers', () => {
  let env: TestEnvironment;
  let upstream: MockOpenAIServer;
  let routers: ServiceProcess[];
  const PER_ROUTER = 200;

  beforeAll(async () => {
    env = await createTestEnvironment();
    upstream = await MockOpenAIServer.start();
    // Every call: 10 completion tokens (the request's max_tokens), 10 prompt tokens.
    upstream.defaultScript = { content: 'ten tokens of answer', usage: { prompt_tokens: 10, completion_tokens: 10 } };
    // A loaded machine can hold a burst's reservations past the default 3 s, and rate limits fail open: these tests count exactly.
    const routerEnv = { ...env.env, ROUTER_LIMITS_TIMEOUT_MS: '30000' };
    routers = await Promise.all([0, 1].map(async () => startServiceProcess('router', routerEnv, await freePort())));
  }, 60_000);

  afterAll(async () => {
    await Promise.all((routers ?? []).map((r) => r.stop()));
    await upstream?.close();
    await env?.cleanup();
  });

  const admin = (path: string, init: { method?: string; body?: unknown } = {}) => httpJson(`${routers[0]!.url}/v1/admin${path}`, { token: env.config.admin.token, ...init });
  const seed = () => seedTenant(routers[0]!.url, env.config.admin.token, { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-limits-0123456789' }, base_url: upstream.url });
  /** With `dispatcher`: the clients' own connections (see `burst`). */
  const clients = (key: string, dispatcher?: Agent) =>
    routers.map((r) => new OpenAI({ apiKey: key, baseURL: `${r.url}/v1`, maxRetries: 0, ...(dispatcher && { fetch: undiciFetch as never, fetchOptions: { dispatcher } as never }) }));

  /**
   * Fires `PER_ROUTER` concurrent calls at each router; the statuses, and the errors of the refused ones. On its own
   * connections: a pooled one left idle by an earlier burst may be closed by its router just as it is reused (seen
   * on a loaded machine as a call failing with "other side closed").
   */
  async function burst(key: string, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
    const dispatcher = new Agent();
    const calls = clients(key, dispatcher).flatMap((client) =>
      Array.from({ length: PER_ROUTER }, () =>
        client.chat.completions
          .create({ model: 'gpt-4o-mini', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], ...extra }, { headers })
          .withResponse()
          .then(({ response }) => ({ status: 200, error: null as APIError | null, headers: response.headers }))
          .catch((err: unknown) => {
            if (!(err instanceof APIError)) throw err;
            return { status: err.status ?? 0, error: err, headers: err.headers };
          }),
      ),
    );
    try {
      return await Promise.all(calls);
    } finally {
      await dispatcher.close();
    }
  }

  /** Waits out the last seconds of a clock minute, so a burst against a per-minute limit stays in one window. */
  async function awayFromMinuteEnd(): Promise<void> {
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
  }

  it('holds a $1.00 key budget at ~$0.01 a call: settled spend never passes it', async () => {
    const tenant: SeededTenant = await seed();
    const keys = await admin(`/access-keys?organization_id=${tenant.organizationId}`);
    const projectKeyId = (keys.body.data as { id: string; project_id: string | null }[]).find((k) => k.project_id)!.id;
    const patched = await admin(`/access-keys/${projectKeyId}`, { method: 'PATCH', body: { max_budget: 1, budget_duration: '1d' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ max_budget: 1, budget_duration: '1d' });

    // $0.001 per output token: 10 tokens reserved (max_tokens) = 10 used = $0.01 a call.
    const results = await burst(tenant.projectKey, { 'x-gateway-custom-cost': JSON.stringify({ per_token_in: 0, per_token_out: 0.001 }) });
    const ok = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status !== 200 && r.status !== 429).map((r) => r.error?.message)).toEqual([]);
    expect(ok).toBe(100);
    expect(refused[0]!.error).toMatchObject({ code: 'budget_exceeded', param: 'max_budget', type: 'rate_limit_error' });
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);

    // Settlements are off the response path: read the counters once they are in.
    await new Promise((r) => setTimeout(r, 300));
    const budgets = await admin(`/organizations/${tenant.organizationId}/projects/default/budgets`);
    expect(budgets.status).toBe(200);
    const key = (budgets.body.keys as { id: string; spent: number; remaining: number; limit: number }[]).find((k) => k.id === projectKeyId)!;
    expect(key.limit).toBe(1);
    expect(key.spent).toBeLessThanOrEqual(1 + 2 * 0.01);
    expect(key.spent).toBeCloseTo(ok * 0.01, 6);
    expect(key.remaining).toBeCloseTo(1 - key.spent, 6);
  }, 120_000);

  it('settles a streamed call when its stream ends, to the usage it reported', async () => {
    const tenant = await seed();
    const keys = await admin(`/access-keys?organization_id=${tenant.organizationId}`);
    const projectKeyId = (keys.body.data as { id: string; project_id: string | null }[]).find((k) => k.project_id)!.id;
    await admin(`/access-keys/${projectKeyId}`, { method: 'PATCH', body: { max_budget: 0.05, budget_duration: '1h' } });
    // Reserves 10 output tokens (max_tokens), reports 4: settles to $0.004.
    upstream.enqueue({ content: ['a', 'b', 'c'], usage: { prompt_tokens: 10, completion_tokens: 4 } });
    const [client] = clients(tenant.projectKey);
    const stream = await client!.chat.completions.create(
      { model: 'gpt-4o-mini', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { 'x-gateway-custom-cost': JSON.stringify({ per_token_in: 0, per_token_out: 0.001 }) } },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('abc');
    await new Promise((r) => setTimeout(r, 300));
    const budgets = await admin(`/organizations/${tenant.organizationId}/projects/default/budgets`);
    expect((budgets.body.keys as { id: string; spent: number }[]).find((k) => k.id === projectKeyId)!.spent).toBeCloseTo(0.004, 9);
  }, 60_000);

  it('holds max_parallel_requests across both routers and gives the slot back when a call ends or its client leaves', async () => {
    const tenant = await seed();
    const keys = await admin(`/access-keys?organization_id=${tenant.organizationId}`);
    const projectKeyId = (keys.body.data as { id: string; project_id: string | null }[]).find((k) => k.project_id)!.id;
    await admin(`/access-keys/${projectKeyId}`, { method: 'PATCH', body: { max_parallel_requests: 2 } });
    const [a, b] = clients(tenant.projectKey);
    const slow = { content: 'slow', delayBeforeHeadersMs: 1500, usage: { prompt_tokens: 10, completion_tokens: 10 } };
    upstream.enqueue(slow, slow);
    const call = (client: OpenAI) =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).then(
        () => 200,
        (err: APIError) => err.status,
      );
    const first = [call(a!), call(b!)];
    await new Promise((r) => setTimeout(r, 500));
    const refused = await Promise.all([call(a!), call(b!)]);
    expect(refused).toEqual([429, 429]);
    expect(await Promise.all(first)).toEqual([200, 200]);

    // A client that leaves mid-call gives its slot back too.
    upstream.enqueue({ ...slow, delayBeforeHeadersMs: 5000 });
    const leaving = new AbortController();
    const gone = a!.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }, { signal: leaving.signal }).catch(() => 'aborted');
    await new Promise((r) => setTimeout(r, 300));
    leaving.abort();
    expect(await gone).toBe('aborted');
    await new Promise((r) => setTimeout(r, 300));
    expect(await Promise.all([call(a!), call(b!)])).toEqual([200, 200]);
  }, 60_000);

  it('lets exactly 100 calls through a 100-request gateway limit (sliding window)', async () => {
    const tenant = await seed();
    const set = await admin(`/organizations/${tenant.organizationId}/projects/default`, {
      method: 'PATCH',
      body: { rate_limiting_limit: 100, rate_limiting_interval: 3600, rate_limiting_technique: 'sliding' },
    });
    expect(set.status).toBe(200);
    const results = await burst(tenant.projectKey);
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(100);
    expect(refused).toHaveLength(2 * PER_ROUTER - 100);
    expect(refused[0]!.error).toMatchObject({ code: 'rate_limit_exceeded', param: 'rate_limiting_limit' });
    expect(refused[0]!.headers.get('x-ratelimit-limit-requests')).toBe('100');
    expect(refused[0]!.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    const remaining = ok.map((r) => Number(r.headers.get('x-ratelimit-remaining-requests'))).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
  }, 120_000);

  it("holds a key's rpm limit across both routers", async () => {
    const tenant = await seed();
    const keys = await admin(`/access-keys?organization_id=${tenant.organizationId}`);
    const orgKeyId = (keys.body.data as { id: string; project_id: string | null }[]).find((k) => !k.project_id)!.id;
    await admin(`/access-keys/${orgKeyId}`, { method: 'PATCH', body: { rpm_limit: 50 } });
    await awayFromMinuteEnd();
    const results = await burst(tenant.orgKey);
    expect(results.filter((r) => r.status === 200)).toHaveLength(50);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.error).toMatchObject({ code: 'key_rpm_exceeded', param: 'rpm_limit' });
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('50');
  }, 120_000);

  it("refuses a key's call to a model outside its list, and a customer's calls over customer_params.rate_limit", async () => {
    const tenant = await seed();
    const keys = await admin(`/access-keys?organization_id=${tenant.organizationId}`);
    const projectKeyId = (keys.body.data as { id: string; project_id: string | null }[]).find((k) => k.project_id)!.id;
    await admin(`/access-keys/${projectKeyId}`, { method: 'PATCH', body: { models: ['gpt-4o-mini'] } });
    const [client] = clients(tenant.projectKey);
    await expect(client!.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({
      status: 403,
      code: 'model_not_allowed',
      param: 'model',
    });
    await awayFromMinuteEnd();
    const customer = { customer_identifier: 'user-7', customer_params: { rate_limit: 3 } };
    const results = await burst(tenant.projectKey, {}, customer);
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    expect(results.find((r) => r.status === 429)!.error).toMatchObject({ code: 'customer_rate_limit_exceeded', param: 'customer_params.rate_limit' });
  }, 120_000);

  it("holds an organization's monthly request quota", async () => {
    const org = await admin('/organizations', { body: { name: 'quota org', quotas: { monthly_requests: 3, monthly_spend: null } } });
    expect(org.status).toBe(201);
    const key = await admin('/access-keys', { body: { organization_id: org.body.id, name: 'k' } });
    await admin('/connections', {
      body: { organization_id: org.body.id, provider: 'openai', name: 'o', slug: 'o', credentials: { api_key: 'sk-quota-0123456789' }, base_url: upstream.url, is_default: true },
    });
    const results = await burst(key.body.key as string);
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    expect(results.find((r) => r.status === 429)!.error).toMatchObject({ code: 'quota_exceeded', param: 'monthly_requests' });
    const budgets = await admin(`/organizations/${org.body.id}/projects/default/budgets`);
    expect(budgets.body.quotas.monthly_requests).toMatchObject({ limit: 3, spent: 3, remaining: 0 });

    // The operator raises the quota: both routers hold the new one at once (organization.changed), counting on from 3.
    const patched = await admin(`/organizations/${org.body.id}`, { method: 'PATCH', body: { quotas: { monthly_requests: 5 } } });
    expect(patched.status).toBe(200);
    expect(patched.body.quotas).toEqual({ monthly_requests: 5, monthly_spend: null });
    await new Promise((r) => setTimeout(r, 300));
    const more = await burst(key.body.key as string);
    expect(more.filter((r) => r.status === 200)).toHaveLength(2);
    expect((await admin(`/organizations/${org.body.id}/projects/default/budgets`)).body.quotas.monthly_requests).toMatchObject({ limit: 5, spent: 5, remaining: 0 });
  }, 120_000);

  it("lets the admin token alone change quotas; an organization's admin key reads and renames its own organization", async () => {
    const tenant = await seed();
    const adminKey = await admin('/access-keys', { body: { organization_id: tenant.organizationId, name: 'org admin', admin: true } });
    expect(adminKey.status).toBe(201);
    const orgKey = (path: string, init: { method?: string; body?: unknown } = {}) =>
      httpJson(`${routers[0]!.url}/v1/admin${path}`, { token: adminKey.body.key as string, ...init });
    const own = await orgKey(`/organizations/${tenant.organizationId}`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: tenant.organizationId, quotas: { monthly_requests: null, monthly_spend: null } });
    expect(own.body.default_project_id).toMatch(/^[0-9a-f-]{36}$/);
    const listed = await orgKey('/organizations');
    expect(listed.body.data.map((o: { id: string }) => o.id)).toEqual([tenant.organizationId]);
    const raise = await orgKey(`/organizations/${tenant.organizationId}`, { method: 'PATCH', body: { quotas: { monthly_spend: 1000 } } });
    expect(raise.status).toBe(403);
    const renamed = await orgKey(`/organizations/${tenant.organizationId}`, { method: 'PATCH', body: { name: 'Renamed' } });
    expect(renamed.body).toMatchObject({ name: 'Renamed', quotas: { monthly_spend: null } });
    expect((await orgKey(`/organizations/${tenant.organizationId}`, { method: 'PATCH', body: { name: '' } })).status).toBe(400);
    const other = await admin('/organizations', { body: { name: 'someone else' } });
    expect((await orgKey(`/organizations/${other.body.id}`)).status).toBe(403);
    // The admin token lists every organization.
    const all = await admin('/organizations');
    expect(all.body.data.map((o: { id: string }) => o.id)).toEqual(expect.arrayContaining([tenant.organizationId, other.body.id]));
  }, 120_000);

  it("moves a call off a connection over its rate_limit to another connection of the same provider, then refuses", async () => {
    const spare = await MockOpenAIServer.start();
    try {
      spare.defaultScript = upstream.defaultScript;
      const org = await admin('/organizations', { body: { name: 'connections org' } });
      const key = await admin('/access-keys', { body: { organization_id: org.body.id, name: 'k' } });
      const connection = (slug: string, url: string, limit: number, isDefault: boolean) =>
        admin('/connections', {
          body: { organization_id: org.body.id, provider: 'openai', name: slug, slug, credentials: { api_key: 'sk-conn-0123456789' }, base_url: url, is_default: isDefault, rate_limit: limit, rate_limit_period: 3600 },
        });
      expect((await connection('main', upstream.url, 2, true)).status).toBe(201);
      expect((await connection('spare', spare.url, 3, false)).status).toBe(201);
      const before = upstream.requests.length;
      const results = await burst(key.body.key as string);
      expect(results.filter((r) => r.status === 200)).toHaveLength(5);
      expect(upstream.requests.length - before).toBe(2);
      expect(spare.requests).toHaveLength(3);
      expect(results.find((r) => r.status === 429)!.error).toMatchObject({ code: 'connection_rate_limit_exceeded', param: 'rate_limit' });
    } finally {
      await spare.close();
    }
  }, 120_000);

  it('counts every connection a call moves to (a fallback chain): two connections with rate_limit 3, exactly 3 calls reach each', async () => {
    const failing = await MockOpenAIServer.start();
    const spare = await MockOpenAIServer.start();
    try {
      // The first connection answers 404 (not retried, falls back): every call that reaches it moves on to the second.
      failing.defaultScript = { status: 404, errorMessage: 'no such model here' };
      spare.defaultScript = upstream.defaultScript;
      const chain = { model: '@first/gpt-4o-mini', fallback_models: ['@second/gpt-4o-mini'] };
      const orgWithChain = async () => {
        const org = await admin('/organizations', { body: { name: 'fallback chain org' } });
        const key = await admin('/access-keys', { body: { organization_id: org.body.id, name: 'k' } });
        for (const [slug, url, isDefault] of [['first', failing.url, true], ['second', spare.url, false]] as const) {
          const created = await admin('/connections', {
            body: { organization_id: org.body.id, provider: 'openai', name: slug, slug, credentials: { api_key: 'sk-chain-0123456789' }, base_url: url, is_default: isDefault, rate_limit: 3, rate_limit_period: 3600 },
          });
          expect(created.status).toBe(201);
        }
        return key.body.key as string;
      };

      // One at a time: each call is counted on the first connection, then on the second as it falls back.
      const [client] = clients(await orgWithChain());
      const one = () =>
        client!.chat.completions
          .create({ max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }], ...chain } as never)
          .then(() => ({ status: 200, error: null as APIError | null }))
          .catch((err: unknown) => ({ status: (err as APIError).status ?? 0, error: err as APIError }));
      const sequential = [];
      for (let i = 0; i < 4; i += 1) sequential.push(await one());
      expect(sequential.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      expect(failing.requests).toHaveLength(3);
      expect(spare.requests).toHaveLength(3);
      expect(sequential[3]!.error).toMatchObject({ code: 'connection_rate_limit_exceeded', param: 'rate_limit', type: 'rate_limit_error' });
      expect(Number(sequential[3]!.error!.headers?.get('retry-after'))).toBeGreaterThan(0);

      // Concurrent calls on both routers, in a fresh organization: still exactly 3 reach each upstream.
      const [failedBefore, spareBefore] = [failing.requests.length, spare.requests.length];
      const results = await burst(await orgWithChain(), {}, chain);
      expect(results.filter((r) => r.status !== 200 && r.status !== 429).map((r) => r.error?.message)).toEqual([]);
      expect(failing.requests.length - failedBefore).toBe(3);
      expect(spare.requests.length - spareBefore).toBe(3);
      expect(results.filter((r) => r.status === 200)).toHaveLength(3);
      const refused = results.filter((r) => r.status !== 200);
      expect(refused).toHaveLength(2 * PER_ROUTER - 3);
      expect(new Set(refused.map((r) => `${r.status} ${r.error?.code}`))).toEqual(new Set(['429 connection_rate_limit_exceeded']));
    } finally {
      await failing.close();
      await spare.close();
    }
  }, 120_000);

  it('enforces spend rules (a filter on the model) and shows them with spent and remaining', async () => {
    const tenant = await seed();
    const created = await admin(`/organizations/${tenant.organizationId}/projects/default/spend-rules`, {
      body: { name: 'mini cap', amount: 0.05, window: 86_400, calendar_aligned: true, dimensions: [{ type: 'model', mode: 'filter', value: 'gpt-4o-mini' }] },
    });
    expect(created.status).toBe(201);
    const bad = await admin(`/organizations/${tenant.organizationId}/projects/default/spend-rules`, { body: { amount: -1, window: 60 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('amount');
    const results = await burst(tenant.projectKey, { 'x-gateway-custom-cost': JSON.stringify({ per_token_in: 0, per_token_out: 0.001 }) });
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    expect(results.find((r) => r.status === 429)!.error).toMatchObject({ code: 'budget_exceeded', param: created.body.id });
    await new Promise((r) => setTimeout(r, 300));
    const budgets = await admin(`/organizations/${tenant.organizationId}/projects/default/budgets`);
    const rule = (budgets.body.rules as { id: string; buckets: { spent: number; remaining: number }[] }[])[0]!;
    expect(rule.id).toBe(created.body.id);
    expect(rule.buckets[0]!.spent).toBeCloseTo(0.05, 6);
    expect(rule.buckets[0]!.remaining).toBeCloseTo(0, 6);
    const removed = await admin(`/organizations/${tenant.organizationId}/projects/default/spend-rules/${created.body.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
  }, 120_000);
});
