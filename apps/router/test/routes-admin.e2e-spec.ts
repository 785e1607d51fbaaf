import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestEnvironment, httpJson, seedTenant, supportRoute, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

interface RouteBody {
  id: string;
  name: string;
  deployed_version_id: string | null;
  elements?: { id: string }[];
}
interface VersionBody {
  version_id: string;
  active: 'true' | 'false';
  data: string;
}

/** The dynamic routes admin API (docs/routing.md): versions, deployments, rollbacks, validation. */
describe('dynamic routes admin API', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let base: string;
  let tenant: SeededTenant;

  const call = <T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}) =>
    httpJson<T>(`${base}${path}`, { token: env.config.admin.token, ...init });

  beforeAll(async () => {
    env = await createTestEnvironment();
    router = await startRouter(env.config, 0);
    const url = await router.getUrl();
    tenant = await seedTenant(url, env.config.admin.token);
    base = `${url}/v1/admin/organizations/${tenant.organizationId}/projects/default/routes`;
  });

  afterAll(async () => {
    await router?.close();
    await env?.cleanup();
  });

  it('creates a route with version 1 deployed, versions that go live only when deployed, and rollbacks', async () => {
    const created = await call<RouteBody>('', { body: supportRoute() });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'support', elements: supportRoute().elements.map((e) => expect.objectContaining({ id: e.id })) });
    const v1 = created.body.deployed_version_id!;

    const second = supportRoute();
    second.elements[3] = { id: 'split', type: 'percentage', outputs: { '50%': { elementId: 'm_a' }, else: { elementId: 'm_b' } } } as never;
    const v2 = await call<VersionBody>(`/${created.body.id}/versions`, { body: { elements: second.elements } });
    expect(v2.status).toBe(201);
    expect(v2.body.active).toBe('false');
    expect(JSON.parse(v2.body.data).elements[3].outputs).toHaveProperty('50%');
    expect((await call<RouteBody>(`/${created.body.id}`)).body.deployed_version_id).toBe(v1);

    const deployed = await call<{ version_id: string }>(`/support/deployments`, { body: { version_id: v2.body.version_id } });
    expect(deployed.status).toBe(201);
    const versions = await call<{ data: VersionBody[] }>(`/${created.body.id}/versions`);
    expect(versions.body.data.map((v) => [v.version_id, v.active])).toEqual([
      [v1, 'false'],
      [v2.body.version_id, 'true'],
    ]);

    // Rolling back is deploying the older version.
    expect((await call(`/${created.body.id}/deployments`, { body: { version_id: v1 } })).status).toBe(201);
    const history = await call<{ data: { version_id: string }[] }>(`/${created.body.id}/deployments`);
    expect(history.body.data.map((d) => d.version_id)).toEqual([v1, v2.body.version_id, v1]);
    const live = await call<RouteBody>(`/support`);
    expect(live.body.deployed_version_id).toBe(v1);
    expect((await call<VersionBody>(`/support/versions/${v1}`)).body.active).toBe('true');

    const list = await call<{ data: RouteBody[] }>('');
    expect(list.body.data.map((r) => r.name)).toEqual(['support']);

    expect((await call('', { body: supportRoute() })).status).toBe(409);
    expect((await call<RouteBody>(`/support`, { method: 'PATCH', body: { name: 'help' } })).body.name).toBe('help');
    expect((await call(`/${created.body.id}`, { method: 'DELETE' })).body).toEqual({ id: created.body.id, deleted: true });
    expect((await call(`/help`)).status).toBe(404);
  });

  it('refuses a malformed graph with a 400 naming the element, and deploys only its own versions', async () => {
    const doc = supportRoute();
    doc.elements[6] = { ...doc.elements[6]!, outputs: { success: { elementId: 'e' }, fallback: { elementId: 'c' } } } as never;
    const cycle = await call<{ error: { message: string; param: string; code: string } }>('', { body: { ...doc, name: 'loop' } });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error).toMatchObject({ code: 'invalid_route', param: 'elements[6].outputs.fallback' });
    expect(cycle.body.error.message).toContain("'m_cheap' (model): output 'fallback' to 'c' closes a cycle");

    const badName = await call<{ error: { param: string } }>('', { body: { ...supportRoute(), name: 'no spaces' } });
    expect(badName.status).toBe(400);
    expect(badName.body.error.param).toBe('name');

    const a = await call<RouteBody>('', { body: { ...supportRoute(), name: 'a' } });
    const b = await call<RouteBody>('', { body: { ...supportRoute(), name: 'b' } });
    const foreign = await call<{ error: { code: string } }>(`/a/deployments`, { body: { version_id: b.body.deployed_version_id } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('route_version_not_found');
    expect((await call(`/${a.body.id}/versions`, { body: { elements: [] } })).status).toBe(400);
  });

  it('is an admin API: a project key gets 403', async () => {
    expect((await call('', { token: tenant.projectKey })).status).toBe(403);
  });
});
