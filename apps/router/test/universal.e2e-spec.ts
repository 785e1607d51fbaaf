import { httpJson, MockOpenAIServer, type SeededTenant } from '@switchyard/testing';
import { startRouterFixture, type RouterFixture } from './router-fixture';

type Completion = { choices: { message: { content: string } }[]; error?: { code: string; param: string | null; message: string } };

/** `POST /v1/universal` (Cloudflare's universal endpoint) through the router, against provider mocks (docs/routing.md). */
describe('the universal endpoint', () => {
  let fx: RouterFixture;
  let url: string, openai: MockOpenAIServer, groq: MockOpenAIServer, tenant: SeededTenant;

  const messages = [{ role: 'user', content: 'Hello!' }];
  const openaiStep = (config: Record<string, unknown> = { maxAttempts: 1 }) => ({ provider: 'openai', endpoint: 'chat/completions', headers: {}, query: { model: 'gpt-4o-mini', messages }, config });
  const groqStep = { provider: 'groq', endpoint: '/v1/chat/completions', query: { model: 'llama-3.1-8b-instant', messages } };
  const universal = (steps: unknown) => httpJson<Completion>(`${url}/v1/universal`, { token: tenant.projectKey, body: steps });

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-universal-openai' });
    ({ url, upstream: openai, tenant } = fx);
    groq = await MockOpenAIServer.start();
    await fx.connect({ provider: 'groq', name: 'groq', slug: 'groq-main', credentials: { api_key: 'gsk-universal-groq' }, base_url: groq.url });
  });

  beforeEach(() => {
    openai.reset();
    groq.reset();
  });

  afterAll(async () => {
    await fx?.close();
    await groq?.close();
  });

  it('answers from the first step when it succeeds', async () => {
    const res = await universal([openaiStep(), groqStep]);
    expect(res.status).toBe(200);
    expect(res.body.choices[0]!.message.content).toBe('Hello from the mock.');
    expect(res.headers.get('x-gateway-step')).toBe('0');
    expect(res.headers.get('cf-aig-step')).toBe('0');
    expect(res.headers.get('x-gateway-log-id')).toBeTruthy();
    expect(groq.requests).toHaveLength(0);
  });

  it("falls through a failing step after its own maxAttempts, to the next step", async () => {
    openai.enqueue({ status: 500 }, { status: 500 });
    const res = await universal([openaiStep({ maxAttempts: 2, retryDelay: 0 }), groqStep]);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-step')).toBe('1');
    expect(res.headers.get('x-gateway-provider')).toBe('groq');
    expect(res.headers.get('x-gateway-model')).toBe('llama-3.1-8b-instant');
    expect(openai.requests).toHaveLength(2);
    expect(groq.requests).toHaveLength(1);
    expect(groq.requests[0]!.body).toMatchObject({ model: 'llama-3.1-8b-instant', messages });
  });

  it("moves on when a step's requestTimeout passes before the first byte", async () => {
    openai.enqueue({ delayBeforeHeadersMs: 3000 });
    const started = Date.now();
    const res = await universal([openaiStep({ maxAttempts: 1, requestTimeout: 300 }), groqStep]);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-step')).toBe('1');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("answers the last step's error when every step fails", async () => {
    openai.enqueue({ status: 500 });
    groq.enqueue({ status: 429, errorMessage: 'slow down' });
    const res = await universal([openaiStep(), { ...groqStep, config: { maxAttempts: 1 } }]);
    expect(res.status).toBe(429);
    expect(res.body.error!.code).toBe('rate_limit_exceeded');
    expect(res.headers.get('x-gateway-log-id')).toBeTruthy();
  });

  it('streams the answering step as OpenAI SSE', async () => {
    openai.enqueue({ status: 503 });
    const res = await fetch(`${url}/v1/universal`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ ...openaiStep(), query: { model: 'gpt-4o-mini', messages, stream: true } }, { ...groqStep, query: { ...groqStep.query, stream: true } }]),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-gateway-step')).toBe('1');
    const text = await res.text();
    expect(text).toContain('" from"');
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
  });

  it('runs other endpoints as steps (embeddings)', async () => {
    const res = await httpJson<{ data: { embedding: number[] }[] }>(`${url}/v1/universal`, {
      token: tenant.projectKey,
      body: [{ provider: 'openai', endpoint: 'embeddings', query: { model: 'text-embedding-3-small', input: ['a', 'b'] } }],
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(2);
    expect(res.headers.get('x-gateway-step')).toBe('0');
  });

  it('checks every step before running any, naming the step', async () => {
    const cases: [unknown, string | null, string][] = [
      [{ provider: 'openai' }, null, 'invalid_request'],
      [[], null, 'invalid_request'],
      [[openaiStep(), { ...groqStep, headers: { Authorization: 'Bearer sk-elsewhere' } }], '[1].headers.Authorization', 'unsupported_step_header'],
      [[{ ...groqStep, endpoint: 'v1/messages' }], '[0].endpoint', 'unsupported_step_endpoint'],
      [[{ ...groqStep, provider: 'nope' }], '[0].provider', 'unknown_provider'],
      [[{ ...groqStep, query: { model: 'x', messages: 'hi' } }], '[0].query.messages', 'invalid_request'],
      [[{ ...groqStep, config: { maxAttempts: 9 } }], '[0].config.maxAttempts', 'invalid_request'],
      [[{ ...groqStep, headers: { 'x-gateway-max-attempts': '9' } }], '[0].headers.x-gateway-max-attempts', 'invalid_request'],
    ];
    for (const [body, param, code] of cases) {
      const res = await universal(body);
      expect({ body, status: res.status, param: res.body.error?.param ?? null, code: res.body.error?.code }).toEqual({ body, status: 400, param, code });
    }
    expect(openai.requests).toHaveLength(0);
    expect(groq.requests).toHaveLength(0);
  });
});
