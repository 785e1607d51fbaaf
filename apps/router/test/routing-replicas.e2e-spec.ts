import { createTestEnvironment, freePort, httpJson, MockOpenAIServer, seedTenant, startServiceProcess, type SeededTenant, type ServiceProcess, type TestEnvironment } from '@switchyard/testing';
import OpenAI from 'openai';

/** What routing shares across two router processes (one Redis): deployments, rate elements and circuit breakers. Needs `npm run build`. */
describe('routing across two router processes', () => {
  let env: TestEnvironment;
  let routers: ServiceProcess[];
  let openai: MockOpenAIServer;
  let groq: MockOpenAIServer;
  let tenant: SeededTenant;
  let clients: OpenAI[];
  const messages = [{ role: 'user' as const, content: 'Hello' }];
  const admin = (routerIndex: number, path: string, body?: unknown, method?: string) =>
    httpJson<Record<string, unknown>>(`${routers[routerIndex]!.url}/v1/admin${path}`, { token: env.config.admin.token, body, method });
  const project = () => `/organizations/${tenant.organizationId}/projects/default`;
  const ask = (i: number, model: string, extra: Record<string, unknown> = {}) =>
    clients[i]!.chat.completions.create({ model, messages, ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse();

  beforeAll(async () => {
    env = await createTestEnvironment();
    routers = await Promise.all([startServiceProcess('router', env.env, await freePort()), startServiceProcess('router', env.env, await freePort())]);
    [openai, groq] = await Promise.all([MockOpenAIServer.start(), MockOpenAIServer.start()]);
    tenant = await seedTenant(routers[0]!.url, env.config.admin.token, { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-replicas-openai-0123' }, base_url: openai.url });
    const groqConn = await admin(0, '/connections', {
      organization_id: tenant.organizationId,
      provider: 'groq',
      name: 'groq-main',
      slug: 'groq-main',
      credentials: { api_key: 'gsk-replicas-groq-0123' },
      base_url: groq.url,
    });
    expect(groqConn.status).toBe(201);
    const patched = await admin(0, project(), {
      retry_max_attempts: 1,
      circuit_breaker: { failure_threshold: 3, window_seconds: 60, error_ratio: 1, min_requests: 100, open_seconds: 30 },
    }, 'PATCH');
    expect(patched.status).toBe(200);
    clients = routers.map((r) => new OpenAI({ apiKey: tenant.projectKey, baseURL: `${r.url}/v1`, maxRetries: 0 }));
  }, 90_000);

  afterAll(async () => {
    await Promise.all((routers ?? []).map((r) => r.stop()));
    await Promise.all([openai?.close(), groq?.close()]);
    await env?.cleanup();
  });

  it('a deployment switch made on one router is seen by both within 1 s', async () => {
    const route = (model: string) => ({
      elements: [
        { id: 's', type: 'start', outputs: { next: { elementId: 'm' } } },
        { id: 'm', type: 'model', properties: { provider: 'groq', model }, outputs: { success: { elementId: 'e' } } },
        { id: 'e', type: 'end' },
      ],
    });
    const created = await admin(0, `${project()}/routes`, { name: 'switch', ...route('llama-3.1-8b-instant') });
    expect(created.status).toBe(201);
    for (const i of [0, 1]) expect((await ask(i, 'dynamic/switch')).response.headers.get('x-gateway-model')).toBe('llama-3.1-8b-instant');
    const v2 = await admin(0, `${project()}/routes/switch/versions`, route('llama-3.3-70b-versatile'));
    const started = Date.now();
    expect((await admin(0, `${project()}/routes/switch/deployments`, { version_id: v2.body['version_id'] })).status).toBe(201);
    const seenAfter = await Promise.all(
      [0, 1].map(async (i) => {
        for (;;) {
          const { response } = await ask(i, 'dynamic/switch');
          if (response.headers.get('x-gateway-model') === 'llama-3.3-70b-versatile') return Date.now() - started;
          if (Date.now() - started > 5000) return Infinity;
        }
      }),
    );
    expect(Math.max(...seenAfter)).toBeLessThan(1000);
  });

  it('a rate element with limit 50 admits exactly 50 calls across both routers; the rest take its fallback', async () => {
    const model = (id: string, name: string) => ({ id, type: 'model', properties: { provider: 'groq', model: name }, outputs: { success: { elementId: 'e' } } });
    const created = await admin(0, `${project()}/routes`, {
      name: 'rated',
      elements: [
        { id: 's', type: 'start', outputs: { next: { elementId: 'r' } } },
        { id: 'r', type: 'rate', properties: { key: 'metadata.user', limit: 50, limitType: 'count', window: 3600 }, outputs: { success: { elementId: 'a' }, fallback: { elementId: 'b' } } },
        model('a', 'llama-3.1-8b-instant'),
        model('b', 'llama-3.3-70b-versatile'),
        { id: 'e', type: 'end' },
      ],
    });
    expect(created.status).toBe(201);
    const before = groq.requests.length;
    const calls = [0, 1].flatMap((i) =>
      Array.from({ length: 60 }, () =>
        clients[i]!.chat.completions.create({ model: 'dynamic/rated', messages }, { headers: { 'x-gateway-metadata': '{"user":"u-1"}' } }),
      ),
    );
    const answers = await Promise.all(calls);
    const byModel = (m: string) => answers.filter((a) => a.model === m).length;
    expect(byModel('llama-3.1-8b-instant')).toBe(50);
    expect(byModel('llama-3.3-70b-versatile')).toBe(70);
    expect(groq.requests.length - before).toBe(120);
  });

  it('a breaker opened by failures on one router is open on the other', async () => {
    openai.enqueue({ status: 500 }, { status: 500 }, { status: 500 });
    for (let n = 0; n < 3; n++) await ask(0, '@openai-main/gpt-4o-mini', { fallback_models: ['@groq-main/llama-3.1-8b-instant'] });
    expect(openai.requests).toHaveLength(3);
    // Router 1 never saw a failure: it learns of the open breaker from Redis (pub/sub), off its request path.
    const stateOn = async (i: number) =>
      ((await admin(i, '/health/targets')).body['data'] as { model: string; state: string }[]).find((t) => t.model === 'gpt-4o-mini')?.state;
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && (await stateOn(1)) !== 'open') await new Promise((r) => setTimeout(r, 20));
    expect(await stateOn(1)).toBe('open');
    const { response } = await ask(1, '@openai-main/gpt-4o-mini', { fallback_models: ['@groq-main/llama-3.1-8b-instant'] });
    expect(response.headers.get('x-gateway-route')).toBe('target=groq/llama-3.1-8b-instant;skipped=openai/gpt-4o-mini:circuit_open');
    expect(openai.requests).toHaveLength(3);
    // Without a fallback, every target is skipped: a 503 naming each reason.
    const error = await ask(1, '@openai-main/gpt-4o-mini').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('no_available_targets');
  });
});
