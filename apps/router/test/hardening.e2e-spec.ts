import { Agent } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import {
  createTestEnvironment,
  assertNo5xx,
  hostileJsonBodies,
  httpJson,
  MockOpenAIServer,
  rawRequest,
  seedTenant,
  type SeededTenant,
  type TestEnvironment,
  withField,
} from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

/** Issue 18: hostile input at the router's edge (items 1, 2 and 7) and the fuzz of its JSON entry points. */
describe('router hardening', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let url: string;
  let mock: MockOpenAIServer;
  let tenant: SeededTenant;
  const valid = () => ({ model: '@mock/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });

  beforeAll(async () => {
    env = await createTestEnvironment({ HTTP_JSON_MAX_DEPTH: '64' });
    router = await startRouter(env.config, 0);
    url = (await router.getUrl()).replace('[::1]', '127.0.0.1');
    mock = await MockOpenAIServer.start();
    tenant = await seedTenant(url, env.config.admin.token, { provider: 'openai', slug: 'mock', credentials: { api_key: 'sk-test-hardening-0000' }, base_url: mock.url });
  });

  afterAll(async () => {
    await router?.close();
    await mock?.close();
    await env?.cleanup();
  });

  beforeEach(() => mock.reset());

  const auth = () => ({ authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json' });

  describe('item 2: deep nesting is a client error everywhere', () => {
    it('chat: an unknown field nested 5,000 levels deep is a 400 naming the limit, and nothing reaches the provider', async () => {
      const body = withField(valid(), 'extra', '['.repeat(5_000) + ']'.repeat(5_000));
      const res = await rawRequest(`${url}/v1/chat/completions`, { headers: auth(), chunks: [body] });
      expect(res.status).toBe(400);
      const err = JSON.parse(res.body).error;
      expect(err).toMatchObject({ type: 'invalid_request_error', code: 'json_too_deep' });
      expect(err.message).toContain('64');
      expect(mock.requests).toHaveLength(0);
    });

    it('chat: a body at the limit still passes', async () => {
      const body = JSON.stringify({ ...valid(), metadata_blob: JSON.parse('['.repeat(60) + ']'.repeat(60)) });
      const res = await rawRequest(`${url}/v1/chat/completions`, { headers: auth(), chunks: [body] });
      expect(res.status).toBe(200);
    });

    it('admin (a Fastify route): the same 400 in the OpenAI shape', async () => {
      const res = await httpJson(`${url}/v1/admin/organizations`, { token: env.config.admin.token, body: `{"name":${'['.repeat(5_000)}${']'.repeat(5_000)}}` });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'json_too_deep' });
    });
  });

  describe('item 1: a refused request leaves no unread body on a keep-alive connection', () => {
    it('after a 415 and a 401 with a body still arriving, the next request on the same agent is answered', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const big = Buffer.alloc(4 * 1024 * 1024, 'a');
        const refused = await rawRequest(`${url}/v1/chat/completions`, { agent, headers: { ...auth(), 'content-type': 'text/plain' }, chunks: [big] });
        expect(refused.status).toBe(415);
        expect(refused.headers.connection).toBe('close');
        const next = await rawRequest(`${url}/v1/chat/completions`, { agent, headers: auth(), chunks: [JSON.stringify(valid())], timeoutMs: 5_000 });
        expect(next.status).toBe(200);

        const unauthorized = await rawRequest(`${url}/v1/chat/completions`, { agent, headers: { 'content-type': 'application/json' }, chunks: [big] });
        expect(unauthorized.status).toBe(401);
        const again = await rawRequest(`${url}/v1/models`, { method: 'GET', agent, headers: { authorization: `Bearer ${tenant.projectKey}` }, timeoutMs: 5_000 });
        expect(again.status).toBe(200);
      } finally {
        agent.destroy();
      }
    });

    it('a fully read request keeps its connection alive', async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const bad = await rawRequest(`${url}/v1/chat/completions`, { agent, headers: auth(), chunks: ['{"model":'] });
        expect(bad.status).toBe(400);
        expect(bad.headers.connection).toBe('keep-alive');
        const next = await rawRequest(`${url}/v1/chat/completions`, { agent, headers: auth(), chunks: [JSON.stringify(valid())] });
        expect(next.status).toBe(200);
        expect(next.localPort).toBe(bad.localPort);
      } finally {
        agent.destroy();
      }
    });
  });

  describe('item 7: errors Fastify and Node produce are in the OpenAI shape', () => {
    it('431: headers too large', async () => {
      const res = await rawRequest(`${url}/v1/models`, { method: 'GET', headers: { 'x-big': 'a'.repeat(20_000) } });
      expect(res.status).toBe(431);
      expect(JSON.parse(res.body).error).toMatchObject({ type: 'invalid_request_error', code: 'headers_too_large' });
    });

    it('unknown route and a bad URL', async () => {
      const unknown = await httpJson(`${url}/v1/nope`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('unknown_url');
      const badUrl = await rawRequest(`${url}/v1/admin/connections/%E0%A4%A`, { method: 'GET', headers: { authorization: `Bearer ${env.config.admin.token}` } });
      expect(badUrl.status).toBeLessThan(500);
      expect(JSON.parse(badUrl.body).error).toBeDefined();
    });

    it('a 60 MB body gets its 413 before the connection closes (no EPIPE, no reset)', async () => {
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      for (const declared of [true, false]) {
        const res = await rawRequest(`${url}/v1/chat/completions`, {
          headers: { ...auth(), ...(declared ? { 'content-length': String(60 * chunk.length) } : {}) },
          chunks: Array.from({ length: 60 }, () => chunk),
          timeoutMs: 30_000,
        });
        expect(res.status).toBe(413);
        expect(JSON.parse(res.body).error.code).toBe('request_too_large');
      }
    }, 60_000);
  });

  describe('item 5: organizations cannot point connections at internal hosts', () => {
    let orgAdminKey: string;
    beforeAll(async () => {
      const key = await httpJson(`${url}/v1/admin/access-keys`, { token: env.config.admin.token, body: { organization_id: tenant.organizationId, name: 'org admin', admin: true } });
      expect(key.status).toBe(201);
      orgAdminKey = key.body.key;
    });
    const create = (token: string, slug: string, baseUrl: string) =>
      httpJson(`${url}/v1/admin/connections`, {
        token,
        body: { organization_id: tenant.organizationId, provider: 'openai', name: slug, slug, credentials: { api_key: 'sk-test-internal-0000' }, base_url: baseUrl },
      });

    it('an org admin key gets a 400 naming base_url for loopback, link-local, private and localhost URLs, on create and update', async () => {
      for (const [i, target] of ['http://127.0.0.1:9/v1', 'http://169.254.169.254/latest', 'http://10.0.0.5/v1', 'http://localhost:11434/v1', 'http://[::1]:8000/v1'].entries()) {
        const res = await create(orgAdminKey, `internal-${i}`, target);
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ param: 'base_url', code: 'private_base_url' });
      }
      const ok = await create(orgAdminKey, 'public-one', 'https://api.openai.com/v1');
      expect(ok.status).toBe(201);
      const patched = await httpJson(`${url}/v1/admin/connections/${ok.body.id}`, { method: 'PATCH', token: orgAdminKey, body: { base_url: mock.url } });
      expect(patched.status).toBe(400);
      expect(patched.body.error.param).toBe('base_url');
    });

    it('the admin token (the operator) may', async () => {
      expect((await create(env.config.admin.token, 'operator-loopback', mock.url)).status).toBe(201);
    });

    it('the router checks again after DNS resolution: a stored org URL that now resolves to loopback is never connected to', async () => {
      const db = new Client({ connectionString: env.databaseUrl });
      await db.connect();
      try {
        const ok = await create(orgAdminKey, 'rebound', 'https://api.openai.com/v1');
        expect(ok.status).toBe(201);
        // As if the name had been rebound to an internal address after the save-time check.
        for (const rebound of [mock.url.replace('127.0.0.1', 'localhost'), mock.url]) {
          await db.query(`UPDATE connections SET base_url = $1 WHERE id = $2`, [rebound, ok.body.id]);
          await httpJson(`${url}/v1/admin/connections/${ok.body.id}`, { method: 'PATCH', token: env.config.admin.token, body: { name: 'rebound' } }); // evicts caches
          await db.query(`UPDATE connections SET base_url = $1, base_url_trusted = false WHERE id = $2`, [rebound, ok.body.id]);
          await new Promise((r) => setTimeout(r, 200));
          const res = await rawRequest(`${url}/v1/chat/completions`, { headers: auth(), chunks: [JSON.stringify({ ...valid(), model: '@rebound/gpt-4o-mini' })] });
          expect(res.status).toBe(502);
          expect(JSON.parse(res.body).error.message).toMatch(/private, loopback or link-local/);
          expect(mock.requests).toHaveLength(0);
        }
      } finally {
        await db.end();
      }
    });
  });

  describe('fuzz: random and adversarial bodies never produce a 5xx, and the router keeps serving', () => {
    const entryPoints = [
      { path: '/v1/chat/completions', token: () => tenant.projectKey, keys: ['model', 'messages', 'stream', 'tools', 'n', 'max_tokens', 'fallback_models', 'retry_params', 'response_format'], valid },
      { path: '/v1/responses', token: () => tenant.projectKey, keys: ['model', 'input', 'instructions', 'tools', 'tool_choice', 'text', 'stream', 'previous_response_id', 'store'], valid: () => ({ model: '@mock/gpt-4o-mini', input: 'hi' }) },
      { path: '/v1/messages', token: () => tenant.projectKey, keys: ['model', 'messages', 'system', 'max_tokens', 'tools', 'tool_choice', 'stream', 'thinking'], valid: () => ({ ...valid(), max_tokens: 16 }) },
      { path: '/v1/messages/count_tokens', token: () => tenant.projectKey, keys: ['model', 'messages', 'system', 'tools'], valid },
      { path: '/v1/embeddings', token: () => tenant.projectKey, keys: ['model', 'input', 'encoding_format', 'dimensions'], valid: () => ({ model: '@mock/text-embedding-3-small', input: 'hi' }) },
      { path: '/v1/completions', token: () => tenant.projectKey, keys: ['model', 'prompt', 'max_tokens', 'stream', 'n'], valid: () => ({ model: '@mock/gpt-3.5-turbo-instruct', prompt: 'hi' }) },
      { path: '/v1/admin/organizations', token: () => env.config.admin.token, keys: ['name', 'quotas'], valid: () => ({ name: 'fuzz' }) },
      { path: '/v1/admin/access-keys', token: () => env.config.admin.token, keys: ['organization_id', 'project_id', 'name', 'expires_at', 'admin'], valid: () => ({ organization_id: tenant.organizationId, name: 'k' }) },
      { path: '/v1/admin/connections', token: () => env.config.admin.token, keys: ['organization_id', 'provider', 'name', 'slug', 'credentials', 'base_url'], valid: () => ({ organization_id: tenant.organizationId }) },
    ];

    it.each(entryPoints.map((e) => [e.path, e] as const))('%s', async (_path, entry) => {
      await assertNo5xx(hostileJsonBodies(entry.keys, entry.valid), (body) =>
        rawRequest(`${url}${entry.path}`, { headers: { authorization: `Bearer ${entry.token()}`, 'content-type': 'application/json' }, chunks: [body] }),
      );
      expect((await httpJson(`${url}/healthz`)).status).toBe(200);
    }, 120_000);
  });
});
