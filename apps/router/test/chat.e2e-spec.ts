import type OpenAI from 'openai';
import { httpJson, MockOpenAIServer, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import { startRouterFixture, type RouterFixture } from './router-fixture';

/** Reads a raw SSE response: the data payloads in order. */
async function sse(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice(6));
}

describe('POST /v1/chat/completions through the router', () => {
  let fx: RouterFixture;
  let env: TestEnvironment, url: string, primary: MockOpenAIServer, backup: MockOpenAIServer, tenant: SeededTenant, client: OpenAI;
  const secret = 'sk-primary-0123456789abcdef';

  const chat = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: secret });
    ({ env, url, upstream: primary, tenant, client } = fx);
    backup = await MockOpenAIServer.start();
    await fx.connect({ provider: 'openai-compatible', slug: 'backup', credentials: { api_key: 'sk-backup-key-000000' }, base_url: backup.url });
    // Fast retries for the tests.
    await fx.settings({ retry_delay: 10, retry_max_attempts: 3, retry_backoff: 'constant' });
  });

  afterEach(() => {
    primary.reset();
    backup.reset();
  });

  afterAll(async () => {
    await fx?.close();
    await backup?.close();
  });

  it('answers a non-streaming completion with the upstream result and gateway headers', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], seed: 7, user: 'u1', ...({ fallback_models: ['@backup/other'], custom_field: { a: 1 } } as object) })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello from the mock.');
    expect(data.usage?.total_tokens).toBe(15);
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-model')).toBe('gpt-4o-mini');
    expect(response.headers.get('x-gateway-step')).toBe('0');
    expect(response.headers.get('x-gateway-attempts')).toBe('1');
    expect(response.headers.get('x-gateway-request-id')).toBeTruthy();
    const sent = primary.requests[0]!;
    expect(sent.headers['authorization']).toBe(`Bearer ${secret}`);
    expect(sent.body).toMatchObject({ model: 'gpt-4o-mini', seed: 7, user: 'u1', custom_field: { a: 1 } });
    expect(sent.body).not.toHaveProperty('fallback_models');
  });

  it('streams: assembled text equals the upstream text; usage only when asked, always requested upstream', async () => {
    primary.enqueue({ content: ['The', ' quick', ' brown', ' fox'], usage: { prompt_tokens: 5, completion_tokens: 4 } });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'go' }], stream: true });
    let text = '';
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('The quick brown fox');
    expect(chunks.every((c) => c.choices.length > 0 && !('usage' in c))).toBe(true);
    expect(primary.requests[0]!.body.stream_options).toEqual({ include_usage: true });

    primary.enqueue({ content: ['a', 'b'], usage: { prompt_tokens: 5, completion_tokens: 2 } });
    const withUsage = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const all = [];
    for await (const chunk of withUsage) all.push(chunk);
    const last = all[all.length - 1]!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
  });

  it('streams parallel tool calls whose argument fragments reassemble to valid JSON', async () => {
    primary.enqueue({
      toolCalls: [
        { name: 'get_weather', arguments: ['{"ci', 'ty": "Par', 'is"}'] },
        { name: 'get_time', arguments: ['{"tz":', ' "Europe/Paris"}'] },
      ],
    });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'weather and time in Paris' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { tz: { type: 'string' } } } } },
      ],
      parallel_tool_calls: true,
      stream: true,
    });
    const args: Record<number, { name: string; arguments: string }> = {};
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? []) {
        args[tc.index] ??= { name: '', arguments: '' };
        if (tc.function?.name) args[tc.index]!.name = tc.function.name;
        args[tc.index]!.arguments += tc.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect(args[0]!.name).toBe('get_weather');
    expect(JSON.parse(args[0]!.arguments)).toEqual({ city: 'Paris' });
    expect(JSON.parse(args[1]!.arguments)).toEqual({ tz: 'Europe/Paris' });
  });

  it('passes response_format json_schema through and returns the JSON', async () => {
    primary.enqueue({ content: '{"answer":42}' });
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'answer' }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { answer: { type: 'number' } } }, strict: true } },
    });
    expect(JSON.parse(res.choices[0]!.message.content!)).toEqual({ answer: 42 });
    expect(primary.requests[0]!.body.response_format.type).toBe('json_schema');
  });

  it('retries a 500 and counts the attempts', async () => {
    primary.enqueue({ status: 500 }, { status: 502 });
    const res = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-attempts')).toBe('3');
    expect(primary.requests).toHaveLength(3);
  });

  it('honours Retry-After on a 429', async () => {
    primary.enqueue({ status: 429, retryAfter: '1' });
    const started = Date.now();
    const res = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(res.headers.get('x-gateway-attempts')).toBe('2');
  });

  it('falls back to fallback_models when the primary refuses its credentials, visible in x-gateway-step', async () => {
    primary.enqueue({ status: 401, errorMessage: `Incorrect API key provided: ${secret}` });
    backup.enqueue({ content: 'from backup' });
    const res = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], fallback_models: ['@backup/llama'] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-step')).toBe('1');
    expect(res.headers.get('x-gateway-provider')).toBe('openai-compatible');
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('from backup');
    expect(backup.requests[0]!.body.model).toBe('llama');
  });

  it('maps exhausted failures: 503 provider_unavailable, 502 provider_auth_error without echoing secrets', async () => {
    primary.enqueue({ status: 503 }, { status: 503 }, { status: 503 });
    const unavailable = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(unavailable.status).toBe(503);
    expect(((await unavailable.json()) as { error: { code: string } }).error.code).toBe('provider_unavailable');
    expect(unavailable.headers.get('x-gateway-attempts')).toBe('3');

    primary.enqueue({ status: 401, errorMessage: `Incorrect API key provided: ${secret}` });
    const auth = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(auth.status).toBe(502);
    const text = await auth.text();
    expect(JSON.parse(text).error.code).toBe('provider_auth_error');
    expect(text).not.toContain(secret);

    primary.enqueue({ status: 400, errorMessage: 'Invalid value for temperature' });
    const bad = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(bad.status).toBe(400);
    expect(primary.requests).toHaveLength(5);
  });

  it('fails over invisibly when the upstream drops before the first token', async () => {
    primary.enqueue({ content: ['one'], dropBeforeFirstChunk: true }, { content: ['clean', ' stream'] });
    const res = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-attempts')).toBe('2');
    const events = await sse(res);
    expect(events[events.length - 1]).toBe('[DONE]');
    const text = events.slice(0, -1).map((e) => (JSON.parse(e) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('clean stream');
  });

  it('ends with an error event and no [DONE] when the upstream drops after the first token', async () => {
    primary.enqueue({ content: ['first', ' second', ' third'], dropAfterChunks: 2 });
    const res = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true });
    expect(res.status).toBe(200);
    const events = await sse(res);
    expect(events).not.toContain('[DONE]');
    const last = JSON.parse(events[events.length - 1]!) as { error: { code: string } };
    expect(last.error).toMatchObject({ type: 'api_error', code: 'provider_unreachable' });
    expect(events.some((e) => e.includes('first'))).toBe(true);
  });

  it('treats a malformed stream or an in-stream error before content as a failure and retries', async () => {
    primary.enqueue({ content: ['x'], malformed: true }, { content: ['x'], errorEventAfterChunks: 0 }, { content: ['ok'] });
    const res = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true });
    const events = await sse(res);
    expect(res.headers.get('x-gateway-attempts')).toBe('3');
    expect(events[events.length - 1]).toBe('[DONE]');
  });

  it('delivers each chunk as it arrives (slow trickle) and cancels the upstream when the client disconnects', async () => {
    primary.enqueue({ content: ['a', 'b', 'c', 'd', 'e', 'f'], chunkDelayMs: 150 });
    const controller = new AbortController();
    const res = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true }, {});
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('data: ');
    controller.abort();
    await reader.cancel();
    const deadline = Date.now() + 3000;
    while (!primary.requests[0]?.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(primary.requests[0]!.aborted).toBe(true);

    primary.enqueue({ content: ['tr', 'ick', 'le'], trickle: true });
    const trickled = await sse(await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true }));
    expect(trickled[trickled.length - 1]).toBe('[DONE]');
  });

  it('times out to first byte per attempt and reports 504 when every attempt times out', async () => {
    primary.enqueue({ delayBeforeHeadersMs: 400 }, { delayBeforeHeadersMs: 400 }, { delayBeforeHeadersMs: 400 });
    const res = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, { 'x-gateway-request-timeout': '100', 'cf-aig-max-attempts': '2' });
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('provider_timeout');
    expect(res.headers.get('x-gateway-attempts')).toBe('2');
  });

  it('validates requests with 400s that name the parameter', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ model: 'gpt-4o-mini' }, 'messages'],
      [{ model: 'gpt-4o-mini', messages: 'hi' }, 'messages'],
      [{ model: 'gpt-4o-mini', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
      [{ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }, 'temperature'],
      [{ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], n: 0 }, 'n'],
      [{ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'bad name!' } }] }, 'tools[0].function.name'],
      [{ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', parameters: 'nope' } }] }, 'tools[0].function.parameters'],
      [{ messages: [{ role: 'user', content: 'x' }] }, 'model'],
    ];
    for (const [body, param] of cases) {
      const res = await chat(body);
      expect(res.status).toBe(400);
      const err = ((await res.json()) as { error: { param: string; type: string } }).error;
      expect(err).toMatchObject({ param, type: 'invalid_request_error' });
    }
    const badJson = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json' },
      body: '{"model": "gpt-4o-mini", "messages": [',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const noKey = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
    const badHeader = await chat({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, { 'x-gateway-max-attempts': '9' });
    expect(badHeader.status).toBe(400);
    expect(primary.requests).toHaveLength(0);
  });

  it('answers an unknown model with 404 model_not_found and says how to discover models', async () => {
    const res = await chat({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
    expect(res.status).toBe(404);
    const err = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(err.code).toBe('model_not_found');
    expect(err.message).toContain('GET /v1/models');
  });

  it('lists routable models in the OpenAI list shape with their providers', async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['gpt-4o-mini', 'openai/gpt-4o-mini', '@openai-main/gpt-4o-mini']));
    expect(ids).not.toContain('claude-sonnet-4');
    const entry = list.data.find((m) => m.id === 'gpt-4o-mini') as unknown as { providers: { provider: string }[] };
    expect(entry.providers[0]!.provider).toBe('openai');
  });

  it('routes Azure OpenAI to the deployment URL with api-version and the api-key header', async () => {
    const azure = await MockOpenAIServer.start();
    try {
      const conn = await httpJson(`${url}/v1/admin/connections`, {
        token: env.config.admin.token,
        body: {
          organization_id: tenant.organizationId,
          provider: 'azure-openai',
          name: 'azure',
          slug: 'azure-eu',
          credentials: { api_key: 'azure-key-123456789', resource_name: 'my-resource', api_version: '2024-10-21' },
          base_url: azure.origin,
        },
      });
      expect(conn.status).toBe(201);
      const res = await chat({ model: '@azure-eu/my-gpt4o-deployment', messages: [{ role: 'user', content: 'x' }] });
      expect(res.status).toBe(200);
      const sent = azure.requests[0]!;
      expect(sent.path).toBe('/openai/deployments/my-gpt4o-deployment/chat/completions?api-version=2024-10-21');
      expect(sent.headers['api-key']).toBe('azure-key-123456789');
      expect(sent.headers['authorization']).toBeUndefined();
    } finally {
      await azure.close();
    }
  });
});
