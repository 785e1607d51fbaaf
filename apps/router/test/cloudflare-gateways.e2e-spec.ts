import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Cloudflare from 'cloudflare';
import { createTestEnvironment, httpJson, seedTenant, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

/** The Cloudflare management API's gateways, driven by the official `cloudflare` SDK with only its baseURL changed. */
describe('cloudflare management API: gateways', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let url: string;
  let admin: string;
  let tenant: SeededTenant;
  let cf: Cloudflare;

  const sdk = (apiToken: string) => new Cloudflare({ apiToken, baseURL: `${url}/client/v4`, maxRetries: 0 });

  beforeAll(async () => {
    env = await createTestEnvironment();
    admin = env.config.admin.token;
    router = await startRouter(env.config, 0);
    url = await router.getUrl();
    tenant = await seedTenant(url, admin);
    cf = sdk(admin);
  });

  afterAll(async () => {
    await router?.close();
    await env?.cleanup();
  });

  it('creates, gets, updates (PUT), lists and deletes a gateway = a project, every seed field round-tripping', async () => {
    const account_id = tenant.organizationId;
    const created = await cf.aiGateway.create({
      account_id,
      id: 'support-bot',
      cache_invalidate_on_update: true,
      cache_ttl: 120,
      collect_logs: true,
      rate_limiting_interval: 60,
      rate_limiting_limit: 100,
      rate_limiting_technique: 'sliding',
      authentication: true,
      log_management: 20_000,
      log_management_strategy: 'DELETE_OLDEST',
      logpush: true,
      logpush_public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5',
      retry_backoff: 'linear',
      retry_delay: 100,
      retry_max_attempts: 3,
      zdr: true,
      workers_ai_billing_mode: 'postpaid',
    });
    expect(created).toMatchObject({
      id: 'support-bot',
      cache_ttl: 120,
      cache_invalidate_on_update: true,
      rate_limiting_technique: 'sliding',
      log_management: 20_000,
      log_management_strategy: 'DELETE_OLDEST',
      logpush: true,
      retry_backoff: 'linear',
      retry_max_attempts: 3,
      zdr: true,
      workers_ai_billing_mode: 'postpaid',
      is_default: false,
    });
    expect(created).not.toHaveProperty('uuid');

    // The same project through the native admin API: one implementation, two shapes.
    const native = await httpJson(`${url}/v1/admin/organizations/${account_id}/projects/support-bot`, { token: admin });
    expect(native.body).toMatchObject({ id: 'support-bot', name: 'support-bot', cache_ttl: 120, rate_limiting_limit: 100, logpush: true, store_id: null });

    const updated = await cf.aiGateway.update('support-bot', {
      account_id,
      cache_invalidate_on_update: false,
      cache_ttl: 0,
      collect_logs: false,
      rate_limiting_interval: 0,
      rate_limiting_limit: 0,
      store_id: 'store-1',
      stripe: { authorization: 'sk_test_x', usage_events: [{ payload: '{"event":"x"}' }] },
      otel: [{ url: 'https://otel.example.com/v1/traces', authorization: 'Bearer t', headers: { 'x-a': 'b' }, content_type: 'json' }],
    });
    expect(updated).toMatchObject({ id: 'support-bot', cache_ttl: 0, collect_logs: false, store_id: 'store-1', logpush: true, retry_max_attempts: 3 });
    expect(updated.stripe).toEqual({ authorization: 'sk_test_x', usage_events: [{ payload: '{"event":"x"}' }] });
    expect(await cf.aiGateway.get('support-bot', { account_id })).toEqual(updated);

    const ids: string[] = [];
    for await (const gateway of cf.aiGateway.list({ account_id, per_page: 1 })) ids.push(gateway.id);
    expect(ids).toEqual(['default', 'support-bot']);
    const searched = await cf.aiGateway.list({ account_id, search: 'SUPPORT' });
    expect(searched.result.map((g) => g.id)).toEqual(['support-bot']);

    expect(await cf.aiGateway.delete('support-bot', { account_id })).toMatchObject({ id: 'support-bot' });
    await expect(cf.aiGateway.get('support-bot', { account_id })).rejects.toMatchObject({ status: 404 });
  });

  it('answers the V4 envelope with result_info, and errors in the V4 shape', async () => {
    const base = `${url}/client/v4/accounts/${tenant.organizationId}/ai-gateway/gateways`;
    const list = await httpJson(`${base}?page=1&per_page=5`, { token: admin });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ success: true, errors: [], messages: [], result_info: { page: 1, per_page: 5, count: 1, total_count: 1 } });

    const bad = await httpJson(base, { token: admin, body: { id: 'x', cache_ttl: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ result: null, success: false, errors: [{ code: 400, message: expect.stringContaining('cache_ttl'), source: { pointer: '/cache_ttl' } }], messages: [] });
    // Nothing was saved: the settings are checked before the project is created.
    expect((await httpJson(`${base}/x`, { token: admin })).status).toBe(404);

    const paging = await httpJson(`${base}?per_page=500`, { token: admin });
    expect(paging.status).toBe(400);
    expect(paging.body.errors[0].source).toEqual({ pointer: '/per_page' });

    const dflt = await httpJson(`${base}/default`, { method: 'DELETE', token: admin });
    expect(dflt.status).toBe(409);
    expect(dflt.body.success).toBe(false);

    const rename = await httpJson(`${base}/default`, { method: 'PUT', token: admin, body: { id: 'other' } });
    expect(rename.status).toBe(400);
  });

  it('authorizes the admin token or an organization key with admin, for its own organization only', async () => {
    const account_id = tenant.organizationId;
    await expect(sdk(tenant.orgKey).aiGateway.list({ account_id })).rejects.toMatchObject({ status: 403 });
    await expect(sdk('sy_nope').aiGateway.list({ account_id })).rejects.toMatchObject({ status: 401 });
    const unauth = await httpJson(`${url}/client/v4/accounts/${account_id}/ai-gateway/gateways`, {});
    expect(unauth.status).toBe(401);
    expect(unauth.body).toMatchObject({ success: false, result: null, errors: [{ code: 401 }] });

    const adminKey = await httpJson(`${url}/v1/admin/access-keys`, { token: admin, body: { organization_id: account_id, name: 'cf admin', admin: true } });
    const orgAdmin = sdk(adminKey.body.key);
    const page = await orgAdmin.aiGateway.list({ account_id });
    expect(page.result.map((g) => g.id)).toEqual(['default']);

    const other = await seedTenant(url, admin);
    await expect(orgAdmin.aiGateway.get('default', { account_id: other.organizationId })).rejects.toMatchObject({ status: 403 });
  });
});
