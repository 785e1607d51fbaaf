import { AnthropicMockServer, httpJson, MockOpenAIServer, supportRoute, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import OpenAI from 'openai';
import { startRouterFixture, type RouterFixture } from './router-fixture';

/** `model: "dynamic/<name>"` through the router with the official SDK, against provider mocks (docs/routing.md). */
describe('dynamic routes through the router', () => {
  let fx: RouterFixture;
  let env: TestEnvironment, url: string, openai: MockOpenAIServer, groq: MockOpenAIServer, tenant: SeededTenant, client: OpenAI;
  const anthropic = new AnthropicMockServer();

  const admin = (path: string, body?: unknown) =>
    httpJson<{ id: string; version_id: string; deployed_version_id: string }>(`${url}/v1/admin/organizations/${tenant.organizationId}/projects/default/routes${path}`, {
      token: env.config.admin.token,
      body,
    });
  const connect = (provider: string, slug: string, apiKey: string, baseUrl: string) => fx.connect({ provider, slug, credentials: { api_key: apiKey }, base_url: baseUrl });
  const ask = (model: string, metadata: Record<string, string>) =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Where is my order?' }] }, { headers: { 'x-gateway-metadata': JSON.stringify(metadata) } }).withResponse();

  /** The worked example without its budget element (so that the split tests do not depend on spend). */
  const withoutBudget = () => {
    const doc = supportRoute();
    doc.elements = doc.elements.filter((e) => e.id !== 'budget');
    (doc.elements[1] as unknown as { outputs: Record<string, { elementId: string }> }).outputs.false = { elementId: 'split' };
    return doc;
  };

  const recordOf = (id: string | null) => fx.recordOf(id);

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-routes-openai-key' });
    ({ env, url, upstream: openai, tenant, client } = fx);
    [groq] = await Promise.all([MockOpenAIServer.start(), anthropic.start()]);
    await connect('groq', 'groq-main', 'gsk-routes-groq-key', groq.url);
    await connect('anthropic', 'claude', anthropic.apiKey, `${anthropic.url}/v1`);
    expect((await admin('', { ...withoutBudget(), name: 'support' })).status).toBe(201);
  });

  beforeEach(() => {
    openai.reset();
    groq.reset();
  });

  afterAll(async () => {
    await fx?.close();
    await Promise.all([groq?.close(), anthropic.stop()]);
  });

  it('sends the free plan to the cheap model, and records the decision in the log', async () => {
    const { data, response } = await ask('dynamic/support', { plan: 'free', user_id: 'u1' });
    expect(data.choices[0]!.message.content).toBeTruthy();
    expect(response.headers.get('x-gateway-provider')).toBe('groq');
    expect(response.headers.get('x-gateway-model')).toBe('llama-3.1-8b-instant');
    expect(groq.requests).toHaveLength(1);
    expect(groq.requests[0]!.body).toMatchObject({ model: 'llama-3.1-8b-instant' });
    expect(openai.requests).toHaveLength(0);
    const record = await recordOf(response.headers.get('x-gateway-log-id'));
    expect(record.modelRequested).toBe('dynamic/support');
    expect(record.routing).toMatchObject({
      route: 'support',
      path: [
        { element: 's', outcome: 'next' },
        { element: 'c', outcome: 'true' },
        { element: 'm_cheap', outcome: 'target' },
        { element: 'e', outcome: 'end' },
      ],
      targets: [{ element: 'm_cheap', provider: 'groq', model: 'llama-3.1-8b-instant' }],
    });
  });

  it('splits the other plans about 90/10 between the two models', async () => {
    const answered: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const { response } = await ask('dynamic/support', { plan: 'pro', user_id: `u${i}` });
      const provider = response.headers.get('x-gateway-provider')!;
      answered[provider] = (answered[provider] ?? 0) + 1;
    }
    expect(answered['openai']! + (answered['anthropic'] ?? 0)).toBe(100);
    // 100 draws of a 90 % share: outside 75-100 has a probability below 1e-4.
    expect(answered['openai']).toBeGreaterThanOrEqual(75);
    expect(openai.requests.every((r) => (r.body as { model: string }).model === 'gpt-4.1')).toBe(true);
  });

  it("falls back to the next model after the element's retries", async () => {
    const chain = {
      name: 'chain',
      elements: [
        { id: 's', type: 'start', outputs: { next: { elementId: 'primary' } } },
        { id: 'primary', type: 'model', properties: { provider: 'openai', model: 'gpt-4.1', retries: 1 }, outputs: { success: { elementId: 'e' }, fallback: { elementId: 'cheap' } } },
        { id: 'cheap', type: 'model', properties: { provider: 'groq', model: 'llama-3.1-8b-instant' }, outputs: { success: { elementId: 'e' } } },
        { id: 'e', type: 'end' },
      ],
    };
    expect((await admin('', chain)).status).toBe(201);
    openai.enqueue({ status: 503 }, { status: 503 }, { status: 503 });
    const { response } = await ask('dynamic/chain', {});
    expect(response.headers.get('x-gateway-provider')).toBe('groq');
    expect(response.headers.get('x-gateway-step')).toBe('1');
    expect(response.headers.get('x-gateway-attempts')).toBe('3');
    expect(openai.requests).toHaveLength(2);
  });

  it('switches to a newly deployed version, and back on a rollback', async () => {
    const route = await admin('/support');
    const cheapOnly = {
      elements: [
        { id: 's', type: 'start', outputs: { next: { elementId: 'm' } } },
        { id: 'm', type: 'model', properties: { provider: 'groq', model: 'llama-3.1-70b' }, outputs: { success: { elementId: 'e' } } },
        { id: 'e', type: 'end' },
      ],
    };
    const v2 = await admin(`/${route.body.id}/versions`, cheapOnly);
    expect((await ask('dynamic/support', { plan: 'free' })).response.headers.get('x-gateway-model')).toBe('llama-3.1-8b-instant');
    expect((await admin(`/${route.body.id}/deployments`, { version_id: v2.body.version_id })).status).toBe(201);
    expect((await ask('dynamic/support', { plan: 'free' })).response.headers.get('x-gateway-model')).toBe('llama-3.1-70b');
    expect((await admin(`/${route.body.id}/deployments`, { version_id: route.body.deployed_version_id })).status).toBe(201);
    expect((await ask('dynamic/support', { plan: 'free' })).response.headers.get('x-gateway-model')).toBe('llama-3.1-8b-instant');
  });

  it('answers 404 for a route the project does not have', async () => {
    const error = await client.chat.completions.create({ model: 'dynamic/nope', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it('counts requests per key value in a rate element and sends those over the limit to its fallback', async () => {
    const limited = {
      name: 'limited',
      elements: [
        { id: 's', type: 'start', outputs: { next: { elementId: 'r' } } },
        { id: 'r', type: 'rate', properties: { key: 'metadata.user_id', limit: 2, window: 3600 }, outputs: { success: { elementId: 'big' }, fallback: { elementId: 'small' } } },
        { id: 'big', type: 'model', properties: { provider: 'openai', model: 'gpt-4.1' }, outputs: { success: { elementId: 'e' } } },
        { id: 'small', type: 'model', properties: { provider: 'groq', model: 'llama-3.1-8b-instant' }, outputs: { success: { elementId: 'e' } } },
        { id: 'e', type: 'end' },
      ],
    };
    expect((await admin('', limited)).status).toBe(201);
    const providers: string[] = [];
    for (const user of ['u1', 'u1', 'u1', 'u2']) providers.push((await ask('dynamic/limited', { user_id: user })).response.headers.get('x-gateway-provider')!);
    expect(providers).toEqual(['openai', 'openai', 'groq', 'openai']);
  });

  it('runs the worked example with its $5/day budget per user: over it, the user is sent to the cheap model', async () => {
    expect((await admin('', { ...supportRoute(), name: 'budgeted' })).status).toBe(201);
    // gpt-4.1 at $2/M in and $8/M out: 2M + 100k tokens cost $4.80 a call, so a user is over $5 after two.
    openai.defaultScript = { content: 'pricey', usage: { prompt_tokens: 2_000_000, completion_tokens: 100_000 } };
    let moved: Response | undefined;
    for (let n = 0; n < 12 && !moved; n++) {
      const { response } = await ask('dynamic/budgeted', { plan: 'pro', user_id: 'big-spender' });
      if (response.headers.get('x-gateway-provider') === 'groq') moved = response;
      await new Promise((r) => setTimeout(r, 20)); // the settlement is written after the answer
    }
    expect(moved).toBeDefined();
    expect(openai.requests.length).toBeGreaterThanOrEqual(2);
    expect(moved!.headers.get('x-gateway-route')).toMatch(/^route=budgeted@[0-9a-f-]{8};target=groq\/llama-3\.1-8b-instant$/);
    const record = await recordOf(moved!.headers.get('x-gateway-log-id'));
    expect(record.routing).toMatchObject({ route: 'budgeted', path: expect.arrayContaining([{ element: 'budget', type: 'rate', outcome: 'fallback' }]) });
    // Another user of the pro plan still has a budget.
    const { response } = await ask('dynamic/budgeted', { plan: 'pro', user_id: 'newcomer' });
    expect(['openai', 'anthropic']).toContain(response.headers.get('x-gateway-provider'));
    openai.defaultScript = { content: ['Hello', ' from', ' the mock.'], usage: { prompt_tokens: 11, completion_tokens: 4 } };
  });
});
