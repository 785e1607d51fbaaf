import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { createTestEnvironment, freePort, httpJson, seedTenant, startServiceProcess, type ServiceProcess, type TestEnvironment } from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

describe('tenancy: admin API, keys on every service, revocation, secrets', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let collector: ServiceProcess;
  let documents: ServiceProcess;
  let routerB: ServiceProcess;
  let url: string;
  let admin: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    admin = env.config.admin.token;
    router = await startRouter(env.config, 0);
    [collector, documents] = await Promise.all([
      startServiceProcess('collector', env.env, await freePort()),
      startServiceProcess('documents', env.env, await freePort()),
    ]);
    url = await router.getUrl();
    routerB = await startServiceProcess('router', { ...env.env, LOG_LEVEL: 'debug' }, await freePort());
  });

  afterAll(async () => {
    await routerB?.stop();
    await Promise.all([router?.close(), collector?.stop(), documents?.stop()]);
    await env?.cleanup();
  });

  it('creates organization, project, key and connection; the key works on all three services', async () => {
    const tenant = await seedTenant(url, admin);
    const project = await httpJson(`${url}/v1/admin/organizations/${tenant.organizationId}/projects`, {
      token: admin,
      body: { name: 'Support Bot', id: 'support' },
    });
    expect(project.status).toBe(201);
    expect(project.body).toMatchObject({ id: 'support', retry_max_attempts: 2, retry_backoff: 'exponential' });
    expect(project.body.webhook_secret).toMatch(/^whsec_/);

    const key = await httpJson(`${url}/v1/admin/access-keys`, {
      token: admin,
      body: { organization_id: tenant.organizationId, project_id: project.body.uuid, name: 'support key' },
    });
    expect(key.status).toBe(201);
    expect(key.body.key).toMatch(/^sy_[0-9A-Za-z]{48}$/);
    expect(key.body.preview).toBe(`${key.body.key.slice(0, 7)}…${key.body.key.slice(-4)}`);

    for (const base of [url, collector.url, documents.url]) {
      const res = await httpJson(`${base}/v1/auth/key`, { token: key.body.key });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ scope: 'project', organization_id: tenant.organizationId, project: { id: 'support' } });
    }
    // An org key on router and documents picks a project with x-gateway-project, else `default`.
    for (const base of [url, documents.url]) {
      const res = await httpJson(`${base}/v1/auth/key`, { token: tenant.orgKey, headers: { 'x-gateway-project': 'support' } });
      expect(res.body.project.id).toBe('support');
      const dflt = await httpJson(`${base}/v1/auth/key`, { token: tenant.orgKey });
      expect(dflt.body.project.id).toBe('default');
    }
  });

  it('answers POST projects with the project object (the GET view plus webhook_secret, shown on create and rotate only)', async () => {
    const tenant = await seedTenant(url, admin);
    const projects = `${url}/v1/admin/organizations/${tenant.organizationId}/projects`;
    const created = await httpJson(projects, { token: admin, body: { name: 'Billing', id: 'billing' } });
    expect(created.status).toBe(201);
    const { webhook_secret: secret, ...view } = created.body;
    expect(secret).toMatch(/^whsec_/);
    const fetched = await httpJson(`${projects}/billing`, { token: admin });
    expect(fetched.body).toEqual(view);
    expect(fetched.body).not.toHaveProperty('webhook_secret');
    // The UUID still names the project, for existing callers.
    expect((await httpJson(`${projects}/${view.uuid}`, { token: admin })).body).toEqual(view);

    const rotated = await httpJson(`${projects}/billing/webhook-secret`, { method: 'POST', token: admin });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id: 'billing', uuid: view.uuid, name: 'Billing' });
    expect(rotated.body.webhook_secret).toMatch(/^whsec_/);
    expect(rotated.body.webhook_secret).not.toBe(secret);

    const uuidShaped = await httpJson(projects, { token: admin, body: { name: 'x', id: view.uuid } });
    expect(uuidShaped.status).toBe(400);
    expect(uuidShaped.body.error.param).toBe('id');
  });

  it('accepts the project slug as project_id of an access key, and the UUID too', async () => {
    const tenant = await seedTenant(url, admin);
    const project = await httpJson(`${url}/v1/admin/organizations/${tenant.organizationId}/projects`, {
      token: admin,
      body: { name: 'Search', id: 'search' },
    });
    const bySlug = await httpJson(`${url}/v1/admin/access-keys`, {
      token: admin,
      body: { organization_id: tenant.organizationId, project_id: 'search', name: 'by slug' },
    });
    expect(bySlug.status).toBe(201);
    expect(bySlug.body.project_id).toBe(project.body.uuid);
    const byUuid = await httpJson(`${url}/v1/admin/access-keys`, {
      token: admin,
      body: { organization_id: tenant.organizationId, project_id: project.body.uuid, name: 'by uuid' },
    });
    expect(byUuid.status).toBe(201);
    for (const key of [bySlug.body.key, byUuid.body.key]) {
      const res = await httpJson(`${url}/v1/auth/key`, { token: key });
      expect(res.body).toMatchObject({ scope: 'project', project: { id: 'search' } });
    }
  });

  it('refuses an unknown or malformed project_id in the OpenAI error shape, naming project_id', async () => {
    const a = await seedTenant(url, admin);
    const b = await seedTenant(url, admin);
    const cases: [string, number, string][] = [
      ['nope', 404, 'project_not_found'],
      [b.projectId, 404, 'project_not_found'], // another organization's project
      ['Not A Slug', 400, 'invalid_request'],
    ];
    for (const [projectId, status, code] of cases) {
      const res = await httpJson(`${url}/v1/admin/access-keys`, {
        token: admin,
        body: { organization_id: a.organizationId, project_id: projectId, name: 'k' },
      });
      expect(res.status).toBe(status);
      expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(res.body.error).toMatchObject({ param: 'project_id', code });
    }
    // Organizations, keys and connections are named by UUID only.
    const badOrg = await httpJson(`${url}/v1/admin/organizations/acme/projects`, { token: admin });
    expect(badOrg.status).toBe(400);
    expect(badOrg.body.error.param).toBe('org');
    const badQuery = await httpJson(`${url}/v1/admin/connections?organization_id=acme`, { token: admin });
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.param).toBe('organization_id');
  });

  it('the collector refuses an org-scoped key with 401', async () => {
    const tenant = await seedTenant(url, admin);
    const res = await httpJson(`${collector.url}/v1/auth/key`, { token: tenant.orgKey });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ type: 'authentication_error', code: 'project_key_required' });
  });

  it('answers unknown, malformed, missing and admin-less keys in the OpenAI error shape', async () => {
    const tenant = await seedTenant(url, admin);
    const cases: [string | undefined, number][] = [
      [undefined, 401],
      ['sy_short', 401],
      [`sy_${'A'.repeat(48)}`, 401],
      ['not-a-key', 401],
    ];
    for (const [token, status] of cases) {
      const res = await httpJson(`${url}/v1/auth/key`, { token });
      expect(res.status).toBe(status);
      expect(Object.keys(res.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    }
    const noAdmin = await httpJson(`${url}/v1/admin/access-keys?organization_id=${tenant.organizationId}`, { token: tenant.orgKey });
    expect(noAdmin.status).toBe(403);
    const noToken = await httpJson(`${url}/v1/admin/organizations`, { body: { name: 'x' } });
    expect(noToken.status).toBe(401);
  });

  it('an org admin key administers its own organization only', async () => {
    const a = await seedTenant(url, admin);
    const b = await seedTenant(url, admin);
    const adminKey = await httpJson(`${url}/v1/admin/access-keys`, {
      token: admin,
      body: { organization_id: a.organizationId, name: 'org admin', admin: true },
    });
    const own = await httpJson(`${url}/v1/admin/access-keys?organization_id=${a.organizationId}`, { token: adminKey.body.key });
    expect(own.status).toBe(200);
    expect(own.body.data.length).toBe(3);
    const other = await httpJson(`${url}/v1/admin/access-keys?organization_id=${b.organizationId}`, { token: adminKey.body.key });
    expect(other.status).toBe(403);
    const createOrg = await httpJson(`${url}/v1/admin/organizations`, { token: adminKey.body.key, body: { name: 'nope' } });
    expect(createOrg.status).toBe(403);
  });

  it('a key revoked through one router is refused by a second router process within 1 s', async () => {
    const tenant = await seedTenant(url, admin);
    // Warm the second process's cache so that only the revocation event can make it refuse.
    expect((await httpJson(`${routerB.url}/v1/auth/key`, { token: tenant.projectKey })).status).toBe(200);
    const keys = await httpJson(`${url}/v1/admin/access-keys?organization_id=${tenant.organizationId}`, { token: admin });
    const keyId = keys.body.data.find((k: { project_id: string | null }) => k.project_id).id;
    const revokedAt = Date.now();
    const revoke = await httpJson(`${url}/v1/admin/access-keys/${keyId}`, { method: 'DELETE', token: admin });
    expect(revoke.status).toBe(200);
    expect(revoke.body.revoked_at).not.toBeNull();
    let refusedAfter = Infinity;
    while (Date.now() - revokedAt < 3000) {
      const res = await httpJson(`${routerB.url}/v1/auth/key`, { token: tenant.projectKey });
      if (res.status === 401) {
        refusedAfter = Date.now() - revokedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(refusedAfter).toBeLessThan(1000);
    expect((await httpJson(`${url}/v1/auth/key`, { token: tenant.projectKey })).status).toBe(401);
  });

  it('refuses an expired key', async () => {
    const tenant = await seedTenant(url, admin);
    const key = await httpJson(`${url}/v1/admin/access-keys`, {
      token: admin,
      body: { organization_id: tenant.organizationId, name: 'short-lived', expires_at: new Date(Date.now() + 1500).toISOString() },
    });
    expect((await httpJson(`${url}/v1/auth/key`, { token: key.body.key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    const res = await httpJson(`${url}/v1/auth/key`, { token: key.body.key });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('expired_api_key');
  });

  it('keeps connection credentials sealed in the database and out of every response and log line', async () => {
    const tenant = await seedTenant(url, admin);
    const secret = `sk-live-${'x'.repeat(8)}SECRETVALUE${Date.now()}`;
    const created = await httpJson(`${routerB.url}/v1/admin/connections`, {
      token: admin,
      body: { organization_id: tenant.organizationId, provider: 'openai', name: 'prod', slug: 'openai-prod', credentials: { api_key: secret }, is_default: true },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret_preview).toBe(`${secret.slice(0, 4)}…${secret.slice(-4)}`);
    const responses = [
      created,
      await httpJson(`${routerB.url}/v1/admin/connections/${created.body.id}`, { token: admin }),
      await httpJson(`${routerB.url}/v1/admin/connections?organization_id=${tenant.organizationId}`, { token: admin }),
      await httpJson(`${routerB.url}/v1/admin/connections/${created.body.id}`, { method: 'PATCH', token: admin, body: { name: 'renamed' } }),
      await httpJson(`${routerB.url}/v1/admin/connections`, {
        token: admin,
        body: { organization_id: tenant.organizationId, provider: 'openai', name: 'dup', slug: 'openai-prod', credentials: { api_key: secret } },
      }),
    ];
    for (const r of responses) expect(r.text).not.toContain(secret.slice(8));
    expect(responses[4]?.status).toBe(409);

    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT row_to_json(c)::text AS row FROM connections c WHERE id = $1`, [created.body.id]);
      expect((rows[0] as { row: string }).row).not.toContain(secret.slice(8));
      expect((rows[0] as { row: string }).row).toMatch(/"credentials_sealed":"v1\./);
    } finally {
      await db.end();
    }
    expect(routerB.output()).not.toContain(secret.slice(8));
  });

  it('validates admin input with 400s that name the parameter', async () => {
    const tenant = await seedTenant(url, admin);
    const badProvider = await httpJson(`${url}/v1/admin/connections`, {
      token: admin,
      body: { organization_id: tenant.organizationId, provider: 'nope', name: 'x', slug: 'x', credentials: {} },
    });
    expect(badProvider.status).toBe(400);
    expect(badProvider.body.error.param).toBe('provider');
    const badCreds = await httpJson(`${url}/v1/admin/connections`, {
      token: admin,
      body: { organization_id: tenant.organizationId, provider: 'azure-openai', name: 'x', slug: 'az', credentials: { api_key: 'k' } },
    });
    expect(badCreds.status).toBe(400);
    expect(badCreds.body.error.param).toMatch(/^credentials\./);
    const badSetting = await httpJson(`${url}/v1/admin/organizations/${tenant.organizationId}/projects/default`, {
      method: 'PATCH',
      token: admin,
      body: { retry_max_attempts: 9 },
    });
    expect(badSetting.status).toBe(400);
    expect(badSetting.body.error.param).toBe('retry_max_attempts');
    const okSetting = await httpJson(`${url}/v1/admin/organizations/${tenant.organizationId}/projects/default`, {
      method: 'PATCH',
      token: admin,
      body: { retry_max_attempts: 5, retry_delay: 5000, log_management: 10000, rate_limiting_technique: 'sliding' },
    });
    expect(okSetting.status).toBe(200);
    expect(okSetting.body).toMatchObject({ retry_max_attempts: 5, retry_delay: 5000, log_management: 10000, rate_limiting_technique: 'sliding' });
  });

  it('maps malformed JSON to 400, unknown routes to 404 and echoes the request id', async () => {
    const bad = await fetch(`${url}/v1/admin/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'x-request-id': 'req-123' },
      body: '{nope',
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-request-id')).toBe('req-123');
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const unknown = await httpJson(`${url}/v1/does-not-exist`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_url');
    const huge = await fetch(`${url}/v1/admin/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(env.config.router.bodyLimitBytes) }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
  });

  it('serves health, readiness and Prometheus metrics without a key', async () => {
    expect((await httpJson(`${url}/healthz`)).body).toEqual({ status: 'ok' });
    expect((await httpJson(`${url}/readyz`)).body).toMatchObject({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
    const metrics = await fetch(`${url}/metrics`);
    expect(await metrics.text()).toMatch(/http_requests_total\{.*service="router"/);
  });
});
