import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseConfig } from '@switchyard/config';
import { createTestEnvironment, httpJson, MockOpenAIServer, seedTenant, startTcpProxy, viaProxy, type SeededTenant, type TcpProxy, type TestEnvironment } from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

/**
 * Redis down (docs/governance.md, "When Redis is down"): a router whose Redis is cut refuses with 503 the calls
 * whose budgets cannot be checked, lets through the calls with only rate limits (the default), and refuses
 * those too in a project that sets `rate_limits_fail_open: false`.
 */
describe('limits while Redis is down', () => {
  let env: TestEnvironment;
  let upstream: MockOpenAIServer;
  let admin: NestFastifyApplication;
  let adminUrl: string;
  let proxy: TcpProxy;
  let cut: NestFastifyApplication;
  let cutUrl: string;
  let tenant: SeededTenant;

  beforeAll(async () => {
    env = await createTestEnvironment();
    upstream = await MockOpenAIServer.start();
    admin = await startRouter(env.config, 0);
    adminUrl = await admin.getUrl();
    const target = new URL(env.config.redis.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    cut = await startRouter(parseConfig({ ...env.env, REDIS_URL: viaProxy(env.config.redis.url, proxy), ROUTER_LIMITS_TIMEOUT_MS: '300' }), 0);
    cutUrl = await cut.getUrl();
    tenant = await seedTenant(adminUrl, env.config.admin.token, { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-down-0123456789' }, base_url: upstream.url });
  }, 60_000);

  afterAll(async () => {
    proxy?.restore();
    await cut?.close();
    await proxy?.close();
    await admin?.close();
    await upstream?.close();
    await env?.cleanup();
  });

  const call = (key: string, project?: string) =>
    fetch(`${cutUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(project ? { 'x-gateway-project': project } : {}) },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
    });
  const adminCall = (path: string, body: unknown, method = 'POST') => httpJson(`${adminUrl}/v1/admin${path}`, { token: env.config.admin.token, body, method });

  it('fails budgets closed (503) and rate limits open by default; a project may fail rate limits closed', async () => {
    const org = tenant.organizationId;
    await adminCall(`/organizations/${org}/projects/default`, { rate_limiting_limit: 1000, rate_limiting_interval: 60 }, 'PATCH');
    const strict = await adminCall(`/organizations/${org}/projects`, { name: 'Strict', id: 'strict' });
    expect(strict.status).toBe(201);
    await adminCall(`/organizations/${org}/projects/strict`, { rate_limiting_limit: 1000, rate_limiting_interval: 60, rate_limits_fail_open: false }, 'PATCH');
    const budgeted = await adminCall('/access-keys', { organization_id: org, project_id: 'default', name: 'budgeted', max_budget: 5, budget_duration: '1mo' });
    expect(budgeted.status).toBe(201);
    expect(budgeted.body).toMatchObject({ max_budget: 5, budget_duration: '1mo' });

    // Warm the router's caches (keys, projects, connections) while Redis is up.
    for (const [key, project] of [[budgeted.body.key as string], [tenant.projectKey], [tenant.orgKey, 'strict']] as [string, string?][]) {
      const res = await call(key, project);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit-requests')).toBe('1000');
      await res.text();
    }

    proxy.cut();
    const budgetCall = await call(budgeted.body.key as string);
    expect(budgetCall.status).toBe(503);
    expect(await budgetCall.json()).toMatchObject({ error: { code: 'limits_unavailable' } });
    expect(budgetCall.headers.get('retry-after')).toBeTruthy();

    const rateOnly = await call(tenant.projectKey);
    expect(rateOnly.status).toBe(200);
    expect(rateOnly.headers.get('x-ratelimit-limit-requests')).toBeNull();
    await rateOnly.text();

    const strictCall = await call(tenant.orgKey, 'strict');
    expect(strictCall.status).toBe(503);
    await strictCall.text();
    proxy.restore();
  }, 60_000);
});
