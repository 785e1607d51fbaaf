import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestEnvironment, httpJson, MockOpenAIServer, seedTenant, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { startRouter } from '../src/bootstrap';
import { logRecordOf } from './log-records';

/**
 * Cloudflare's compat data plane on the router (docs/cloudflare-compat.md): the seed's curl example with only the host
 * changed, the OpenAI SDK on a gateway's `compat` base URL, `cf-aig-authorization`, gateways with `authentication:
 * false`, the `cf-aig-*` response headers, and the Keywords AI and LLMOps base URLs as aliases of our routes.
 */
describe('Cloudflare compat data plane', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let url: string;
  let openai: MockOpenAIServer;
  let tenant: SeededTenant;
  let other: SeededTenant;
  let redis: Redis;
  let openKey: string;

  const messages = [{ role: 'user', content: 'What is Cloudflare?' }];
  const compat = (gateway: string, account = tenant.organizationId) => `${url}/v1/${account}/${gateway}/compat/chat/completions`;
  const post = (target: string, headers: Record<string, string>, body: unknown = { model: 'openai/gpt-4o-mini', messages }) =>
    fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const errorOf = async (res: Response) => ((await res.json()) as { error: { type: string; code: string; message: string } }).error;
  const cf = (path: string, body?: unknown, method?: string) =>
    httpJson(`${url}/client/v4/accounts/${tenant.organizationId}/ai-gateway/${path}`, { token: env.config.admin.token, body, method });

  const recordOf = (id: string | null) => logRecordOf(redis, env.config.redis.prefix, id);


  beforeAll(async () => {
    env = await createTestEnvironment();
    router = await startRouter(env.config, 0);
    url = await router.getUrl();
    openai = await MockOpenAIServer.start();
    const connection = { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-compat-openai-key' }, base_url: openai.url };
    tenant = await seedTenant(url, env.config.admin.token, connection);
    other = await seedTenant(url, env.config.admin.token, connection);
    const route = {
      name: 'support',
      elements: [
        { id: 's', type: 'start', outputs: { next: { elementId: 'm' } } },
        { id: 'm', type: 'model', properties: { provider: 'openai', model: 'gpt-4.1-mini', timeout: 30000, retries: 1 }, outputs: { success: { elementId: 'e' }, fallback: { elementId: 'e' } } },
        { id: 'e', type: 'end', outputs: {} },
      ],
    };
    expect((await httpJson(`${url}/v1/admin/organizations/${tenant.organizationId}/projects/default/routes`, { token: env.config.admin.token, body: route })).status).toBe(201);
    // A gateway without authentication, and a project key of it.
    const gw = { id: 'open', cache_invalidate_on_update: false, cache_ttl: 0, collect_logs: true, rate_limiting_interval: 0, rate_limiting_limit: 0, authentication: false };
    expect((await cf('gateways', gw)).status).toBe(201);
    const open = await httpJson<{ uuid: string }>(`${url}/v1/admin/organizations/${tenant.organizationId}/projects/open`, { token: env.config.admin.token });
    const key = await httpJson<{ key: string }>(`${url}/v1/admin/access-keys`, {
      token: env.config.admin.token,
      body: { organization_id: tenant.organizationId, project_id: open.body.uuid, name: 'open key' },
    });
    openKey = key.body.key;
    redis = new Redis(env.config.redis.url);
  });

  beforeEach(() => openai.reset());

  afterAll(async () => {
    redis?.disconnect();
    await router?.close();
    await openai?.close();
    await env?.cleanup();
  });

  it("answers the seed's curl example (a dynamic route, cf-aig-authorization) with the cf-aig-* headers beside the x-gateway-* ones", async () => {
    // curl -X POST https://gateway.ai.cloudflare.com/v1/{account_id}/{gateway_id}/compat/chat/completions --header 'cf-aig-authorization: Bearer {CF_AIG_TOKEN}' ...
    const res = await post(compat('default'), { 'cf-aig-authorization': `Bearer ${tenant.projectKey}` }, { model: 'dynamic/support', messages });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]!.message.content).toBe('Hello from the mock.');
    expect(openai.requests).toHaveLength(1);
    expect(openai.requests[0]!.body).toMatchObject({ model: 'gpt-4.1-mini' });
    expect(openai.requests[0]!.headers['authorization']).toBe('Bearer sk-compat-openai-key');
    const h = res.headers;
    expect(h.get('cf-aig-model')).toBe('gpt-4.1-mini');
    expect(h.get('cf-aig-provider')).toBe('openai');
    expect(h.get('cf-aig-step')).toBe('0');
    for (const name of ['model', 'provider', 'step', 'request-id', 'event-id', 'log-id']) expect(h.get(`cf-aig-${name}`)).toBe(h.get(`x-gateway-${name}`));
    expect(h.get('cf-aig-request-id')).toBe(h.get('x-request-id'));
    // Without an event id of the client's, the event id is the request id.
    expect(h.get('cf-aig-event-id')).toBe(h.get('x-request-id'));
    const record = await recordOf(h.get('cf-aig-log-id'));
    expect(record).toMatchObject({ projectId: tenant.projectId, provider: 'openai', statusCode: 200 });
  });

  it('serves the OpenAI SDK on the compat base URL (apiKey = the gateway key, model = provider/model) and echoes cf-aig-event-id', async () => {
    const client = new OpenAI({ apiKey: tenant.orgKey, baseURL: `${url}/v1/${tenant.organizationId}/default/compat`, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'What is a neuron?' }] }, { headers: { 'cf-aig-event-id': 'evt-42' } })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello from the mock.');
    expect(response.headers.get('cf-aig-event-id')).toBe('evt-42');
    expect(response.headers.get('x-gateway-event-id')).toBe('evt-42');
    expect(openai.requests[0]!.body).toMatchObject({ model: 'gpt-4o-mini' });
    // Streams go through the same pipeline.
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from the mock.');
  });

  it('accepts cf-aig-authorization on /v1/chat/completions too, before a provider key sent in Authorization', async () => {
    const res = await post(`${url}/v1/chat/completions`, { 'cf-aig-authorization': `Bearer ${tenant.projectKey}`, authorization: 'Bearer sk-the-clients-own-openai-key' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cf-aig-provider')).toBe('openai');
    // The provider key the client sent is never used: the organization's connection is.
    expect(openai.requests[0]!.headers['authorization']).toBe('Bearer sk-compat-openai-key');
    const bad = await post(`${url}/v1/chat/completions`, { 'cf-aig-authorization': 'Bearer sy_not_a_key', authorization: `Bearer ${tenant.projectKey}` });
    expect(bad.status).toBe(401);
  });

  it('lets a gateway with authentication: false be called without a key, acting as that project, on its gateway paths only', async () => {
    const res = await post(compat('open'), {});
    expect(res.status).toBe(200);
    const record = await recordOf(res.headers.get('cf-aig-log-id'));
    const open = await httpJson<{ uuid: string }>(`${url}/v1/admin/organizations/${tenant.organizationId}/projects/open`, { token: env.config.admin.token });
    expect(record).toMatchObject({ organizationId: tenant.organizationId, projectId: open.body.uuid, keyId: null, statusCode: 200 });
    // The same request on our own path, on a gateway with authentication, or on one that does not exist: a 401 alike.
    for (const target of [`${url}/v1/chat/completions`, compat('default'), compat('no-such-gateway'), compat('open', 'not-a-uuid')]) {
      const refused = await post(target, {});
      expect(refused.status).toBe(401);
      expect(await errorOf(refused)).toMatchObject({ type: 'authentication_error', code: 'missing_api_key' });
    }
    // A key sent to an open gateway is still checked.
    expect((await post(compat('open'), { 'cf-aig-authorization': 'Bearer sy_wrong' })).status).toBe(401);
    expect((await post(compat('open'), { authorization: `Bearer ${openKey}` })).status).toBe(200);
    expect(openai.requests).toHaveLength(2);
  });

  it("refuses a key on another project's or another account's gateway (403, OpenAI shape)", async () => {
    const project = await post(compat('open'), { 'cf-aig-authorization': `Bearer ${tenant.projectKey}` });
    expect(project.status).toBe(403);
    expect(await errorOf(project)).toMatchObject({ type: 'permission_error', code: 'project_mismatch' });
    const account = await post(compat('default'), { 'cf-aig-authorization': `Bearer ${other.projectKey}` });
    expect(account.status).toBe(403);
    expect(await errorOf(account)).toMatchObject({ type: 'permission_error', code: 'account_mismatch' });
    // An organization key acts on any gateway of its own account; a gateway it does not have is a 404.
    expect((await post(compat('open'), { 'cf-aig-authorization': `Bearer ${tenant.orgKey}` })).status).toBe(200);
    const missing = await post(compat('nope'), { 'cf-aig-authorization': `Bearer ${tenant.orgKey}` });
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ code: 'project_not_found' });
    // x-gateway-project cannot point elsewhere than the path's gateway.
    const conflicting = await post(compat('default'), { 'cf-aig-authorization': `Bearer ${tenant.orgKey}`, 'x-gateway-project': 'open' });
    expect(conflicting.status).toBe(400);
    expect(openai.requests).toHaveLength(1);
  });

  it('serves the Keywords AI and LLMOps base URLs as aliases of our routes', async () => {
    // Keywords AI: requests.post('https://api.keywordsai.co/api/chat/completions', headers={'Authorization': 'Bearer …'}, json=data)
    const keywords = await post(`${url}/api/chat/completions`, { authorization: `Bearer ${tenant.projectKey}` });
    expect(keywords.status).toBe(200);
    expect(keywords.headers.get('x-gateway-provider')).toBe('openai');
    // LLMOps: the OpenAI SDK with baseURL '<host>/llmops/api/genai/v1', raw routes and Fastify routes alike.
    const client = new OpenAI({ apiKey: tenant.projectKey, baseURL: `${url}/llmops/api/genai/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]!.message.content).toBe('Hello from the mock.');
    const models = await client.models.list();
    expect(models.data.length).toBeGreaterThan(0);
    const embedding = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: 'hello' });
    expect(embedding.data).toHaveLength(1);
    expect(openai.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions', '/v1/embeddings']);
  });
  it("serves Cloudflare's universal endpoint on the gateway path (an array of steps, cf-aig-step names the one that answered), leaving /v1/admin alone", async () => {
    const steps = [
      { provider: 'openai', endpoint: 'chat/completions', headers: { 'Content-Type': 'application/json' }, query: { model: 'gpt-4o-mini', messages }, config: { maxAttempts: 1 } },
      { provider: 'openai', endpoint: 'chat/completions', headers: { 'Content-Type': 'application/json' }, query: { model: 'gpt-4.1-mini', messages } },
    ];
    openai.enqueue({ status: 500 });
    const res = await post(`${url}/v1/${tenant.organizationId}/default`, { 'cf-aig-authorization': `Bearer ${tenant.projectKey}` }, steps);
    expect(res.status).toBe(200);
    expect(res.headers.get('cf-aig-step')).toBe('1');
    expect(res.headers.get('x-gateway-step')).toBe('1');
    expect(openai.requests.map((r) => (r.body as { model: string }).model)).toEqual(['gpt-4o-mini', 'gpt-4.1-mini']);
    // A gateway without authentication: no key needed on its universal path either; another account's key is refused.
    expect((await post(`${url}/v1/${tenant.organizationId}/open`, {}, steps.slice(1))).status).toBe(200);
    expect((await post(`${url}/v1/${tenant.organizationId}/default`, {}, steps)).status).toBe(401);
    expect((await post(`${url}/v1/${tenant.organizationId}/default`, { authorization: `Bearer ${other.projectKey}` }, steps)).status).toBe(403);
    // The pattern takes a UUID account only: the admin API's POSTs of the same depth still reach their routes.
    const org = await httpJson(`${url}/v1/admin/organizations`, { token: env.config.admin.token, body: { name: 'not a gateway' } });
    expect(org.status).toBe(201);
    expect((await post(`${url}/v1/not-an-account/default`, { authorization: `Bearer ${tenant.projectKey}` }, steps)).status).toBe(404);
  });

  it("reads cf-aig-zdr (no bodies kept, the cache neither read nor written) and Cloudflare's older cf-skip-cache / cf-cache-ttl", async () => {
    const gw = { id: 'cached', cache_invalidate_on_update: false, cache_ttl: 300, collect_logs: true, rate_limiting_interval: 0, rate_limiting_limit: 0 };
    expect((await cf('gateways', gw)).status).toBe(201);
    const auth = { 'cf-aig-authorization': `Bearer ${tenant.orgKey}` };
    const body = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Zero data retention, please.' }] };
    const zdr = await post(compat('cached'), { ...auth, 'cf-aig-zdr': 'true' }, body);
    expect(zdr.status).toBe(200);
    expect(zdr.headers.get('cf-aig-cache-status')).toBe('BYPASS');
    expect((await recordOf(zdr.headers.get('cf-aig-log-id'))).bodies).toBeNull();
    // Not written: the same request without zdr misses (its record has the bodies), then hits once stored.
    const miss = await post(compat('cached'), auth, body);
    expect(miss.headers.get('cf-aig-cache-status')).toBe('MISS');
    expect((await recordOf(miss.headers.get('cf-aig-log-id'))).bodies).not.toBeNull();
    let hit = '';
    for (let i = 0; i < 50 && hit !== 'HIT'; i++) {
      hit = (await post(compat('cached'), auth, body)).headers.get('cf-aig-cache-status') ?? '';
      if (hit !== 'HIT') await new Promise((r) => setTimeout(r, 20));
    }
    expect(hit).toBe('HIT');
    // Not read either: a zdr request with the entry present goes upstream.
    const upstream = openai.requests.length;
    expect((await post(compat('cached'), { ...auth, 'cf-aig-zdr': 'true' }, body)).headers.get('cf-aig-cache-status')).toBe('BYPASS');
    expect(openai.requests).toHaveLength(upstream + 1);
    // The older names: cf-skip-cache skips, cf-cache-ttl is validated as cf-aig-cache-ttl is.
    expect((await post(compat('cached'), { ...auth, 'cf-skip-cache': 'true' }, body)).headers.get('cf-aig-cache-status')).toBe('BYPASS');
    const bad = await post(compat('cached'), { ...auth, 'cf-cache-ttl': 'soon' }, body);
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({ type: 'invalid_request_error' });
    expect((await post(compat('cached'), { ...auth, 'cf-aig-zdr': 'yes' }, body)).status).toBe(400);
  });
});
