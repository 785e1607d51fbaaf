import Cloudflare from 'cloudflare';
import { httpJson, seedTenant, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import { startRouterFixture, type RouterFixture } from './router-fixture';

/**
 * Cloudflare's dynamic routes, provider configs and gateway URLs on the router, driven by the official `cloudflare`
 * SDK with only its baseURL changed (docs/cloudflare-api.md), over the same services as `/v1/admin`.
 */
describe('cloudflare management API: routes, provider configs, URLs', () => {
  let fx: RouterFixture;
  let env: TestEnvironment, url: string, tenant: SeededTenant;
  let other: SeededTenant;
  let cf: Cloudflare;

  const model = (id: string, name: string) => ({
    id,
    type: 'model' as const,
    properties: { provider: 'openai', model: name, retries: 1, timeout: 30000 },
    outputs: { success: { elementId: 'end' }, fallback: { elementId: 'end' } },
  });
  const doc = (name: string) => [
    { id: 'start', type: 'start' as const, outputs: { next: { elementId: 'm' } } },
    model('m', name),
    { id: 'end', type: 'end' as const, outputs: {} as Record<string, { elementId: string }> },
  ];
  const ask = (routeName: string) =>
    fetch(`${url}/v1/${tenant.organizationId}/default/compat/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'cf-aig-authorization': `Bearer ${tenant.projectKey}` },
      body: JSON.stringify({ model: `dynamic/${routeName}`, messages: [{ role: 'user', content: 'hi' }] }),
    });

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-cf-routes-key' });
    ({ env, url, tenant } = fx);
    other = await seedTenant(url, env.config.admin.token);
    cf = new Cloudflare({ apiToken: env.config.admin.token, baseURL: `${url}/client/v4`, maxRetries: 0 });
  });

  afterAll(() => fx?.close());

  it('creates a route, a version and a deployment, lists, renames and deletes them with the SDK, and the deployed version serves traffic', async () => {
    const account_id = tenant.organizationId;
    const routes = cf.aiGateway.dynamicRouting;
    const created = await routes.create('default', { account_id, name: 'support', elements: doc('gpt-4o-mini') });
    expect(created).toMatchObject({ name: 'support', gateway_id: 'default', elements: doc('gpt-4o-mini'), version: { active: 'true' }, deployment: { version_id: created.version.version_id } });
    expect(JSON.parse(created.version.data)).toEqual({ elements: doc('gpt-4o-mini') });
    expect((await ask('support')).headers.get('cf-aig-model')).toBe('gpt-4o-mini');

    // A new version serves nothing until deployed.
    const v2 = await routes.createVersion(created.id, { account_id, gateway_id: 'default', elements: doc('gpt-4.1-mini') });
    expect(v2).toMatchObject({ id: created.id, name: 'support', elements: doc('gpt-4.1-mini') });
    const v2Id = (v2 as unknown as { version_id: string }).version_id;
    expect((await ask('support')).headers.get('cf-aig-model')).toBe('gpt-4o-mini');
    const got = await routes.getVersion(v2Id, { account_id, gateway_id: 'default', id: created.id });
    expect(got).toMatchObject({ id: created.id, version_id: v2Id, active: 'false', elements: doc('gpt-4.1-mini'), gateway_id: 'default' });

    const deployed = await routes.createDeployment(created.id, { account_id, gateway_id: 'default', version_id: v2Id });
    expect(deployed).toMatchObject({ id: created.id, elements: doc('gpt-4.1-mini') });
    expect((await ask('support')).headers.get('cf-aig-model')).toBe('gpt-4.1-mini');

    const versions = await routes.listVersions(created.id, { account_id, gateway_id: 'default' });
    expect(versions.success).toBe(true);
    expect(versions.data).toMatchObject({ page: 1, per_page: 20, order_by: 'created_at', order_by_direction: 'asc' });
    expect(versions.data.versions.map((v) => [v.version_id, v.active])).toEqual([
      [created.version.version_id, 'false'],
      [v2Id, 'true'],
    ]);
    const deployments = await routes.listDeployments(created.id, { account_id, gateway_id: 'default' });
    expect(deployments.data.deployments.map((d) => d.version_id)).toEqual([created.version.version_id, v2Id]);

    // The seed's list shape, every route with its live version and latest deployment.
    await routes.create('default', { account_id, name: 'second', elements: doc('gpt-4o') });
    const list = await routes.list('default', { account_id });
    expect(list).toMatchObject({ success: true, data: { page: 1, per_page: 20, order_by: 'created_at', order_by_direction: 'asc' } });
    expect(list.data.routes.map((r) => [r.name, r.account_tag, r.version.version_id])).toEqual([
      ['support', account_id, v2Id],
      ['second', account_id, expect.any(String)],
    ]);
    const second = await routes.list('default', { account_id, page: 2, per_page: 1 });
    expect(second.data.routes.map((r) => r.name)).toEqual(['second']);

    // PATCH renames (Cloudflare answers {route, success}); dynamic/<new name> serves at once.
    const renamed = await routes.update(created.id, { account_id, gateway_id: 'default', name: 'helpdesk' });
    expect(renamed).toMatchObject({ success: true, route: { id: created.id, name: 'helpdesk' } });
    expect((await routes.get('helpdesk', { account_id, gateway_id: 'default' })).id).toBe(created.id);
    expect((await ask('helpdesk')).status).toBe(200);
    expect((await ask('support')).status).toBe(404);

    const deleted = await routes.delete(created.id, { account_id, gateway_id: 'default' });
    expect(deleted).toMatchObject({ id: created.id, name: 'helpdesk', elements: doc('gpt-4.1-mini') });
    expect((await routes.list('default', { account_id })).data.routes.map((r) => r.name)).toEqual(['second']);
    await expect(routes.get(created.id, { account_id, gateway_id: 'default' })).rejects.toMatchObject({ status: 404 });
  });

  it('refuses with the V4 envelope: a bad document, a duplicate name, another account, a non-admin key', async () => {
    const base = `${url}/client/v4/accounts/${tenant.organizationId}/ai-gateway/gateways/default/routes`;
    const bad = await httpJson(base, { token: env.config.admin.token, body: { name: 'broken', elements: [{ id: 'start', type: 'start', outputs: { next: { elementId: 'nowhere' } } }] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, result: null, errors: [{ code: 400 }] });
    expect((await httpJson(base, { token: env.config.admin.token, body: { name: 'second', elements: doc('gpt-4o') } })).status).toBe(409);
    // An organization admin key of another organization: 403; a project key: 403.
    const adminKey = await httpJson<{ key: string }>(`${url}/v1/admin/access-keys`, { token: env.config.admin.token, body: { organization_id: other.organizationId, name: 'admin', admin: true } });
    const foreign = await httpJson(base, { token: adminKey.body.key });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ success: false });
    expect((await httpJson(base, { token: tenant.projectKey })).status).toBe(403);
    expect((await httpJson(`${url}/client/v4/accounts/${tenant.organizationId}/ai-gateway/gateways/nope/routes`, { token: env.config.admin.token })).status).toBe(404);
  });

  it('creates and lists provider configs = connections, the secret write-only', async () => {
    const account_id = tenant.organizationId;
    const created = await cf.aiGateway.providerConfigs.create('default', { account_id, alias: 'anthropic-team', default_config: true, provider_slug: 'anthropic', secret: 'sk-ant-team-secret-123456' });
    expect(created).toMatchObject({ alias: 'anthropic-team', default_config: true, provider_slug: 'anthropic', gateway_id: 'default', secret_id: created.id });
    expect(JSON.stringify(created)).not.toContain('sk-ant-team-secret-123456');
    // Cloudflare's own slugs: google-vertex-ai (credentials of several fields as a JSON object), grok.
    const vertex = await cf.aiGateway.providerConfigs.create('default', {
      account_id,
      alias: 'vertex',
      default_config: false,
      provider_slug: 'google-vertex-ai',
      secret: JSON.stringify({ project_id: 'p', region: 'us-central1', service_account_json: { type: 'service_account' } }),
    });
    expect(vertex.provider_slug).toBe('google-vertex-ai');
    const configs = [];
    for await (const c of cf.aiGateway.providerConfigs.list('default', { account_id })) configs.push(c);
    expect(configs.map((c) => c.alias).sort()).toEqual(['anthropic-team', 'openai-main', 'vertex']);
    expect(JSON.stringify(configs)).not.toMatch(/sk-ant-team-secret-123456|sk-cf-routes-key/);
    // The same connection through /v1/admin.
    const conn = await httpJson<{ provider: string; slug: string }>(`${url}/v1/admin/connections/${created.id}`, { token: env.config.admin.token });
    expect(conn.body).toMatchObject({ provider: 'anthropic', slug: 'anthropic-team' });

    const post = (body: unknown) => httpJson(`${url}/client/v4/accounts/${account_id}/ai-gateway/gateways/default/provider_configs`, { token: env.config.admin.token, body });
    const refused = await post({ alias: 'x', default_config: false, provider_slug: 'openai', secret_id: 'store-secret' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ success: false, errors: [{ source: { pointer: '/secret_id' } }] });
    expect((await post({ alias: 'x', default_config: false, provider_slug: 'workers-ai', secret: 'k' })).body).toMatchObject({ errors: [{ source: { pointer: '/provider_slug' } }] });
    expect((await post({ alias: 'anthropic-team', default_config: false, provider_slug: 'anthropic', secret: 'k' })).status).toBe(409);
  });

  it('answers url/{provider} with the provider base URL through this gateway', async () => {
    const account_id = tenant.organizationId;
    expect(await cf.aiGateway.urls.get('openai', { account_id, gateway_id: 'default' })).toBe(`${url}/v1/${account_id}/default/openai`);
    expect(await cf.aiGateway.urls.get('compat', { account_id, gateway_id: 'default' })).toBe(`${url}/v1/${account_id}/default/compat`);
    await expect(cf.aiGateway.urls.get('no-such-provider', { account_id, gateway_id: 'default' })).rejects.toMatchObject({ status: 404 });
    await expect(cf.aiGateway.urls.get('openai', { account_id, gateway_id: 'nope' })).rejects.toMatchObject({ status: 404 });
  });
});
