import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestEnvironment, httpJson, seedTenant, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

jest.setTimeout(60_000);

describe("router: Dynamiq's catalog routes (GET /v1/router/models, /v1/router/models/{model_id}/providers)", () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let url: string;
  let tenant: SeededTenant;

  beforeAll(async () => {
    env = await createTestEnvironment();
    router = await startRouter(env.config, 0);
    url = await router.getUrl();
    tenant = await seedTenant(url, env.config.admin.token, { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-test-key-0000000000' }, base_url: 'http://127.0.0.1:9' });
  });

  afterAll(async () => {
    await router?.close();
    await env?.cleanup();
  });

  it('lists the routable models as {id, slug, name}, only those with a connected provider', async () => {
    const res = await httpJson(`${url}/v1/router/models`, { token: tenant.projectKey });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['data', 'next_cursor']);
    expect(res.body.next_cursor).toBeNull();
    for (const m of res.body.data) expect(Object.keys(m)).toEqual(['id', 'slug', 'name']);
    const mini = res.body.data.find((m: { slug: string }) => m.slug === 'gpt-4o-mini');
    expect(mini).toEqual({ id: 'gpt-4o-mini', slug: 'gpt-4o-mini', name: 'gpt-4o-mini' });
    expect(res.body.data.map((m: { slug: string }) => m.slug)).not.toContain('claude-sonnet-4');
    // The same models as the catalog slugs of GET /v1/models.
    const openai = await httpJson(`${url}/v1/models`, { token: tenant.projectKey });
    const slugs = openai.body.data.map((m: { id: string }) => m.id).filter((id: string) => !id.includes('/'));
    expect(res.body.data.map((m: { id: string }) => m.id)).toEqual(slugs);
  });

  it("names a model's providers, and answers unknown models and bad keys in Dynamiq's envelope", async () => {
    const res = await httpJson(`${url}/v1/router/models/gpt-4o-mini/providers`, { token: tenant.projectKey });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [{ provider: 'openai', connection: 'openai-main', model: expect.any(String) }], next_cursor: null });

    const unknown = await httpJson(`${url}/v1/router/models/claude-sonnet-4/providers`, { token: tenant.projectKey });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('GET /v1/router/models'), details: { model_id: expect.any(String), reason: 'model_not_found' } } });

    const anonymous = await httpJson(`${url}/v1/router/models`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String), details: { reason: expect.any(String) } } });
  });
});
