import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ModelCatalog, priceCatalogOf } from '@switchyard/routing';
import {
  AnthropicMockServer,
  BedrockMockServer,
  createTestEnvironment,
  GeminiMockServer,
  httpJson,
  MockOpenAIServer,
  seedTenant,
  type MockProviderServer,
  type SeededTenant,
  type TestEnvironment,
} from '@switchyard/testing';
import { Redis } from 'ioredis';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { Tool } from 'openai/resources/responses/responses';
import { startRouter } from '../src/bootstrap';
import { logRecordOf as logRecord } from './log-records';

const weatherTool: Tool = { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false };

/**
 * Pass-through of the client protocols to the providers that speak them natively: `POST /v1/responses` to OpenAI
 * and Azure OpenAI (the body as sent, the answer and the stream bytes as the provider sent them), with the same
 * logging, pricing and fallbacks (a fallback to Claude goes through the translation).
 */
describe('pass-through of /v1/responses to OpenAI and Azure', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let url: string;
  let openai: MockOpenAIServer;
  let azure: MockOpenAIServer;
  const anthropic = new AnthropicMockServer();
  let tenant: SeededTenant;
  let client: OpenAI;
  let redis: Redis;
  const prices = priceCatalogOf(new ModelCatalog());

  const recordOf = (id: string | null) => logRecord(redis, env.config.redis.prefix, id);

  const connect = async (body: Record<string, unknown>) => {
    const res = await httpJson(`${url}/v1/admin/connections`, { token: env.config.admin.token, body: { organization_id: tenant.organizationId, ...body } });
    expect(res.status).toBe(201);
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    router = await startRouter(env.config, 0);
    url = await router.getUrl();
    [openai, azure] = await Promise.all([MockOpenAIServer.start(), MockOpenAIServer.start(), anthropic.start()]);
    tenant = await seedTenant(url, env.config.admin.token, { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-openai-0123456789' }, base_url: openai.url });
    await connect({ provider: 'anthropic', name: 'claude', slug: 'claude', credentials: { api_key: anthropic.apiKey }, base_url: `${anthropic.url}/v1` });
    await connect({
      provider: 'azure-openai',
      name: 'azure',
      slug: 'azure',
      credentials: { api_key: 'azure-key-0123456789', resource_name: 'mock', api_version: '2024-10-21' },
      base_url: `${azure.origin}/openai`,
    });
    client = new OpenAI({ apiKey: tenant.projectKey, baseURL: `${url}/v1`, maxRetries: 0 });
    redis = new Redis(env.config.redis.url);
  });

  afterEach(() => {
    openai.reset();
    azure.reset();
    anthropic.reset();
  });

  afterAll(async () => {
    await router?.close();
    await Promise.all([openai?.close(), azure?.close(), anthropic.stop(), redis?.quit()]);
    await env?.cleanup();
  });

  it('forwards the body as sent (built-in and function tools, include, reasoning) and answers OpenAI’s Response, logged and priced', async () => {
    openai.enqueue({ content: ['Sunny', ' in Oslo.'], usage: { prompt_tokens: 20, completion_tokens: 5 } });
    const body = {
      model: 'gpt-4o-mini',
      input: 'Weather in Oslo?',
      tools: [{ type: 'web_search' as const }, weatherTool],
      include: ['web_search_call.action.sources' as const],
      metadata: { team: 'a' },
      truncation: 'auto' as const,
    };
    const { data, response } = await client.responses.create({ ...body, fallback_models: ['@claude/claude-sonnet-4-5'] } as never).withResponse();
    // OpenAI's own object: its id, its web_search_call item, its usage.
    expect(data.id).toMatch(/^resp_mock/);
    expect(data.output.map((o) => o.type)).toEqual(['web_search_call', 'message']);
    expect(data.output_text).toBe('Sunny in Oslo.');
    expect(openai.requests).toHaveLength(1);
    expect(openai.requests[0]!.path).toBe('/v1/responses');
    // The body upstream is the client's, the gateway's field (fallback_models) removed.
    expect(openai.requests[0]!.body).toEqual(body);
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    const cost = prices.record('openai', 'gpt-4o-mini', { prompt_tokens: 20, completion_tokens: 5 }).cost;
    expect(Number(response.headers.get('x-gateway-cost'))).toBe(cost);
    const record = await recordOf(response.headers.get('x-gateway-log-id'));
    expect(record).toMatchObject({ path: '/v1/responses', requestType: 'responses', provider: 'openai', tokens: { input: 20, output: 5 }, cost, metadata: { team: 'a' } });
  });

  it('streams OpenAI’s events byte for byte, and records the usage of response.completed', async () => {
    const ask = (base: string, headers: Record<string, string>) =>
      fetch(`${base}/responses`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: 'gpt-4o-mini', input: 'go', stream: true }) });
    openai.enqueue({ content: ['The', ' quick', ' fox'], usage: { prompt_tokens: 7, completion_tokens: 3 } });
    const direct = await (await ask(openai.url, { authorization: 'Bearer sk-openai-0123456789' })).text();
    openai.enqueue({ content: ['The', ' quick', ' fox'], usage: { prompt_tokens: 7, completion_tokens: 3 } });
    const routed = await ask(`${url}/v1`, { authorization: `Bearer ${tenant.projectKey}` });
    expect(routed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await routed.text();
    // The same bytes but for the response id the mock numbers per response.
    expect(text.replace(/resp_mock\d{4}/g, 'ID')).toBe(direct.replace(/resp_mock\d{4}/g, 'ID'));
    const record = await recordOf(routed.headers.get('x-gateway-log-id'));
    expect(record).toMatchObject({ requestType: 'responses', stream: true, tokens: { input: 7, output: 3 }, cost: prices.record('openai', 'gpt-4o-mini', { prompt_tokens: 7, completion_tokens: 3 }).cost });
    // The recorded answer: the Response of response.completed, as the client received it.
    const completed = text.split('\n\n').find((e) => e.startsWith('event: response.completed'))!;
    expect(JSON.parse(record.bodies!.response!)).toEqual(JSON.parse(completed.slice(completed.indexOf('data: ') + 6)).response);
    expect(JSON.parse(record.bodies!.response!)).toMatchObject({ status: 'completed', output: [{ type: 'message', content: [{ text: 'The quick fox' }] }] });

    // The SDK's stream helpers read the passed-through stream.
    openai.enqueue({ content: ['a', 'b'], usage: { prompt_tokens: 1, completion_tokens: 2 } });
    expect((await client.responses.stream({ model: 'gpt-4o-mini', input: 'go' }).finalResponse()).output_text).toBe('ab');
  });

  it('previous_response_id of OpenAI’s own response goes to OpenAI (which stored it); an unknown one is OpenAI’s 404', async () => {
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'Remember 7.' });
    const second = await client.responses.create({ model: 'gpt-4o-mini', input: 'Which number?', previous_response_id: first.id });
    expect(second.previous_response_id).toBe(first.id);
    expect(openai.requests[1]!.body).toMatchObject({ previous_response_id: first.id });
    // The gateway's store does not hold OpenAI's responses.
    await expect(client.responses.retrieve(first.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.responses.create({ model: 'gpt-4o-mini', input: 'x', previous_response_id: 'resp_unknown' })).rejects.toMatchObject({ status: 404 });
  });

  it('Azure OpenAI: the v1 Responses path with the deployment as model and the api-key header', async () => {
    const data = await client.responses.create({ model: '@azure/my-deployment', input: 'Hi', tools: [{ type: 'web_search' }] });
    expect(data.output_text).toBe('Hello from the mock.');
    expect(azure.requests[0]!.path).toBe('/openai/v1/responses');
    expect(azure.requests[0]!.headers['api-key']).toBe('azure-key-0123456789');
    expect(azure.requests[0]!.body).toMatchObject({ model: 'my-deployment', tools: [{ type: 'web_search' }] });
  });

  it('retries, then falls back to Claude through the translation; a built-in tool leaves Claude out (400 when it is the only target)', async () => {
    openai.enqueue({ status: 500 }, { status: 500 });
    const { data, response } = await client.responses
      .create({ model: 'openai/gpt-4o-mini', input: 'Hello', fallback_models: ['@claude/claude-sonnet-4-5'] } as never, { headers: { 'x-gateway-max-attempts': '2' } })
      .withResponse();
    expect(openai.requests).toHaveLength(2);
    expect(anthropic.requests).toHaveLength(1);
    expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
    expect(response.headers.get('x-gateway-attempts')).toBe('3');
    // The translated answer: the gateway's own Response id.
    expect(data.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(data.status).toBe('completed');

    await expect(client.responses.create({ model: '@claude/claude-sonnet-4-5', input: 'x', tools: [{ type: 'web_search' }] })).rejects.toMatchObject({ status: 400, code: 'unsupported_tool' });
    expect(anthropic.requests).toHaveLength(1);
  });

  it('x-gateway-translate: true sends OpenAI the chat translation', async () => {
    const data = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi' }, { headers: { 'x-gateway-translate': 'true' } });
    expect(data.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(openai.requests[0]!.path).toBe('/v1/chat/completions');
  });
});

/**
 * The Claude Code flow with only an Anthropic connection: `/v1/messages` passed through to Anthropic as sent (server
 * tools, documents, thinking with signatures, cache_control, the client's betas), streams byte for byte; and the
 * `openai` SDK's `responses.create` against `claude-…`, translated.
 */
describe('pass-through of /v1/messages to Anthropic (only an Anthropic connection)', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let url: string;
  const anthropic = new AnthropicMockServer();
  let tenant: SeededTenant;
  let client: Anthropic;
  let redis: Redis;
  const prices = priceCatalogOf(new ModelCatalog());
  const weather = { name: 'get_weather', description: 'Weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } };

  beforeAll(async () => {
    env = await createTestEnvironment();
    router = await startRouter(env.config, 0);
    url = await router.getUrl();
    await anthropic.start();
    tenant = await seedTenant(url, env.config.admin.token, { provider: 'anthropic', slug: 'claude', credentials: { api_key: anthropic.apiKey }, base_url: anthropic.url });
    client = new Anthropic({ apiKey: tenant.projectKey, baseURL: url, maxRetries: 0 });
    redis = new Redis(env.config.redis.url);
  });

  afterEach(() => anthropic.reset());

  afterAll(async () => {
    await router?.close();
    await Promise.all([anthropic.stop(), redis?.quit()]);
    await env?.cleanup();
  });

  it('messages.create with tools and thinking: the body as sent (server tool, document, cache_control, betas), Anthropic’s Message back, priced', async () => {
    anthropic.enqueue(
      { reply: { kind: 'tool_calls', calls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], reasoning: 'Call the tool.', redacted: true }, usage: { input: 40, output: 12, cacheRead: 10 } },
      { reply: { kind: 'text', text: 'Sunny.' } },
    );
    const request = {
      model: 'claude-sonnet-4',
      max_tokens: 4096,
      thinking: { type: 'enabled' as const, budget_tokens: 2048 },
      system: [{ type: 'text' as const, text: 'Weather bot.', cache_control: { type: 'ephemeral' as const } }],
      tools: [weather, { type: 'web_search_20250305' as const, name: 'web_search' as const, max_uses: 2 }],
    };
    const question: Anthropic.MessageParam = {
      role: 'user',
      content: [
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Oslo is in Norway.' } },
        { type: 'text', text: 'Weather in Oslo?' },
      ],
    };
    const { data: first, response } = await client.messages.create({ ...request, messages: [question] }, { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } }).withResponse();
    expect(first.content.map((b) => b.type)).toEqual(['thinking', 'redacted_thinking', 'tool_use']);
    const sent = anthropic.requests[0]!;
    expect(sent.body).toEqual({ ...request, model: response.headers.get('x-gateway-model'), messages: [question] });
    expect(sent.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
    const cost = prices.record('anthropic', response.headers.get('x-gateway-model')!, { prompt_tokens: 40, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 10 }, cache_creation_input_tokens: 0 }).cost;
    expect(Number(response.headers.get('x-gateway-cost'))).toBeCloseTo(cost!, 12);

    // The tool round trip: the signed thinking goes back as it came (the mock checks the signature).
    const toolUse = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    const second = await client.messages.create({
      ...request,
      messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '22°C' }] }],
    });
    expect(second.content[0]).toMatchObject({ type: 'text', text: 'Sunny.' });
  });

  it('streams Anthropic’s events byte for byte and records the usage of message_start + message_delta', async () => {
    const body = (model: string) => JSON.stringify({ model, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    const ask = (base: string, key: string, model: string) =>
      fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' }, body: body(model) });
    anthropic.enqueue({ reply: { kind: 'text', text: 'Hello there, friend.' }, usage: { input: 8, output: 5 } });
    const routed = await ask(url, tenant.projectKey, 'claude-sonnet-4');
    const text = await routed.text();
    // The same request straight to the mock, with the model id the router sent.
    anthropic.enqueue({ reply: { kind: 'text', text: 'Hello there, friend.' }, usage: { input: 8, output: 5 } });
    const direct = await (await ask(anthropic.url, anthropic.apiKey, anthropic.requests[0]!.body.model)).text();
    expect(text.replace(/msg_[0-9a-f]+/g, 'ID')).toBe(direct.replace(/msg_[0-9a-f]+/g, 'ID'));
    const record = await logRecord(redis, env.config.redis.prefix, routed.headers.get('x-gateway-log-id'));
    expect(record).toMatchObject({ path: '/v1/messages', requestType: 'messages', stream: true, tokens: { input: 8, output: 5 } });
    // The answer as the client received it, assembled from the passed-through events into Anthropic's Message.
    expect(JSON.parse(record.bodies!.response!)).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: anthropic.requests[0]!.body.model,
      content: [{ type: 'text', text: 'Hello there, friend.' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 8, output_tokens: 5 },
    });
    // x-gateway-collect-log-payload: false keeps no bodies, streamed or not.
    anthropic.enqueue({ reply: { kind: 'text', text: 'Hello there, friend.' } });
    const quiet = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': tenant.projectKey, 'content-type': 'application/json', 'x-gateway-collect-log-payload': 'false' },
      body: body('claude-sonnet-4'),
    });
    expect(await quiet.text()).toContain('message_stop');
    expect((await logRecord(redis, env.config.redis.prefix, quiet.headers.get('x-gateway-log-id'))).bodies).toBeNull();

    // The SDK's stream helper reads it.
    expect((await client.messages.stream({ model: 'claude-sonnet-4', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage()).content[0]).toMatchObject({ type: 'text' });
  });

  it('the openai SDK’s responses.create against claude-… is translated (Claude Code’s other half: OpenAI-speaking tools)', async () => {
    anthropic.enqueue({ reply: { kind: 'text', text: 'Bonjour.' } });
    const openai = new OpenAI({ apiKey: tenant.projectKey, baseURL: `${url}/v1`, maxRetries: 0 });
    const r = await openai.responses.create({ model: 'claude-sonnet-4', instructions: 'French.', input: 'Hello', tools: [weatherTool] });
    expect(r.output_text).toBe('Bonjour.');
    expect(anthropic.requests[0]!.body).toMatchObject({ system: 'French.', tools: [{ name: 'get_weather' }] });
  });

  it('an upstream failure is mapped as on every route, in Anthropic’s shape (529 overloaded: 503 overloaded_error)', async () => {
    anthropic.enqueue({ faults: { status: 529 } });
    await expect(client.messages.create({ model: 'claude-sonnet-4', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-gateway-max-attempts': '1' } })).rejects.toMatchObject({
      status: 503,
      error: { type: 'error', error: { type: 'overloaded_error' } },
    });
  });
});

/**
 * `/v1/messages` to Claude on the clouds, through the router with `@anthropic-ai/sdk`: Vertex's rawPredict /
 * streamRawPredict and Bedrock's InvokeModel / InvokeModelWithResponseStream (binary event frames), each mock
 * validating the body as that platform does (no `model`, its `anthropic_version`; Bedrock: no `stream`, the betas
 * as `anthropic_beta`) and checking the signed thinking of the tool round trip.
 */
describe.each([
  {
    name: 'vertex',
    provider: 'google-vertex',
    model: 'claude-sonnet-4-5@20250929',
    version: 'vertex-2023-10-16',
    path: { plain: /\/publishers\/anthropic\/models\/claude-sonnet-4-5%4020250929:rawPredict$/, stream: /:streamRawPredict$/ },
  },
  {
    name: 'bedrock',
    provider: 'aws-bedrock',
    model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    version: 'bedrock-2023-05-31',
    path: { plain: /^\/model\/anthropic\.claude-3-5-haiku-20241022-v1%3A0\/invoke$/, stream: /\/invoke-with-response-stream$/ },
  },
])('pass-through of /v1/messages to Claude on $name', ({ name, provider, model, version, path }) => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let url: string;
  const gemini = new GeminiMockServer();
  const bedrock = new BedrockMockServer();
  const mock: MockProviderServer = name === 'vertex' ? gemini : bedrock;
  let client: Anthropic;
  let redis: Redis;
  const weather = { name: 'get_weather', description: 'Weather', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } };

  beforeAll(async () => {
    env = await createTestEnvironment();
    router = await startRouter(env.config, 0);
    url = await router.getUrl();
    await mock.start();
    const connection =
      name === 'vertex'
        ? { provider, slug: 'cloud', credentials: gemini.vertexCredentials(), base_url: `${gemini.url}/v1` }
        : { provider, slug: 'cloud', credentials: { ...bedrock.credentials }, base_url: bedrock.url };
    const tenant = await seedTenant(url, env.config.admin.token, connection);
    client = new Anthropic({ apiKey: tenant.projectKey, baseURL: url, maxRetries: 0 });
    redis = new Redis(env.config.redis.url);
  });

  afterEach(() => mock.reset());

  afterAll(async () => {
    await router?.close();
    await Promise.all([mock.stop(), redis?.quit()]);
    await env?.cleanup();
  });

  const calls = () => mock.requests.filter((r) => r.path !== '/token');

  it('create with thinking and a tool: the platform’s body, the Message back; the signed thinking round trip', async () => {
    mock.enqueue(
      { reply: { kind: 'tool_calls', calls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], reasoning: 'Call the tool.' }, usage: { input: 30, output: 10 } },
      { reply: { kind: 'text', text: 'Sunny.' } },
    );
    const request = { model: `@cloud/${model}`, max_tokens: 4096, thinking: { type: 'enabled' as const, budget_tokens: 2048 }, tools: [weather] };
    const question: Anthropic.MessageParam = { role: 'user', content: 'Weather in Oslo?' };
    const { data: first, response } = await client.messages.create({ ...request, messages: [question] }, { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe(provider);
    expect(first.content.map((b) => b.type)).toEqual(['thinking', 'tool_use']);
    const sent = calls()[0]!;
    expect(sent.path).toMatch(path.plain);
    const { model: _model, ...rest } = request;
    const betas = name === 'bedrock' ? { anthropic_beta: ['interleaved-thinking-2025-05-14'] } : {};
    expect(sent.body).toEqual({ anthropic_version: version, ...betas, ...rest, messages: [question] });
    if (name === 'vertex') expect(sent.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');

    const toolUse = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
    const second = await client.messages.create({
      ...request,
      messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '22°C' }] }],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Sunny.' }]);
  });

  it('streams: the SDK’s helper reads the events; usage and the assembled Message recorded', async () => {
    mock.enqueue({ reply: { kind: 'text', text: 'Hello from the cloud.' }, usage: { input: 12, output: 6 } });
    const stream = client.messages.stream({ model: `@cloud/${model}`, max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the cloud.' }]);
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 6 });
    expect(calls()[0]!.path).toMatch(path.stream);
    const { response } = await stream.withResponse();
    const record = await logRecord(redis, env.config.redis.prefix, response.headers.get('x-gateway-log-id'));
    expect(record).toMatchObject({ path: '/v1/messages', requestType: 'messages', provider, stream: true, tokens: { input: 12, output: 6 } });
    expect(JSON.parse(record.bodies!.response!)).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'Hello from the cloud.' }], stop_reason: 'end_turn' });
  });

  it('an error inside the 200 stream ends it with Anthropic’s error event', async () => {
    mock.enqueue({ reply: { kind: 'text', text: 'Hello from the cloud.' }, faults: { errorInStream: { type: name === 'bedrock' ? 'throttlingException' : 'overloaded_error', message: 'Slow down' } } });
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': (client as unknown as { apiKey: string }).apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ model: `@cloud/${model}`, max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(res.status).toBe(200);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events[0]).toMatch(/^event: message_start\n/);
    expect(events.at(-1)).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"(overloaded_error|rate_limit_error|api_error)"/);
  });
});
