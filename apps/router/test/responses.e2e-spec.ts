import type OpenAI from 'openai';
import type { ResponseInputItem, ResponseStreamEvent, Tool } from 'openai/resources/responses/responses';
import { AnthropicMockServer, seedTenant, type MockOpenAIServer, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import { startRouterFixture, type RouterFixture } from './router-fixture';

const weatherTool: Tool = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

/** POST /v1/responses with the official `openai` SDK, translated through the chat pipeline to an OpenAI and an Anthropic upstream (mocks). */
describe('POST /v1/responses through the router', () => {
  let fx: RouterFixture;
  let env: TestEnvironment, url: string, openai: MockOpenAIServer, tenant: SeededTenant, client: OpenAI;
  const anthropic = new AnthropicMockServer();

  /** The one record of this log id on the log stream (appends are off the request path; the collector is not running). */
  const recordOf = (id: string | null) => fx.recordOf(id);

  beforeAll(async () => {
    // This suite tests the translation: OpenAI would otherwise be sent the body as is (passthrough.e2e-spec.ts).
    fx = await startRouterFixture({ apiKey: 'sk-openai-0123456789', client: { defaultHeaders: { 'x-gateway-translate': 'true' } } });
    ({ env, url, upstream: openai, tenant, client } = fx);
    await anthropic.start();
    await fx.connect({ provider: 'anthropic', slug: 'claude', credentials: { api_key: anthropic.apiKey }, base_url: `${anthropic.url}/v1` });
  });

  afterEach(() => {
    openai.reset();
    anthropic.reset();
  });

  afterAll(async () => {
    await fx?.close();
    await anthropic.stop();
  });

  it('answers responses.create with the Response object, stores it, and serves GET, input_items and DELETE', async () => {
    const { data, response } = await client.responses
      .create({ model: 'gpt-4o-mini', instructions: 'Be brief.', input: 'Say hello', metadata: { team: 'a' }, max_output_tokens: 50, temperature: 0.3 })
      .withResponse();
    expect(data.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(data.object).toBe('response');
    expect(data.status).toBe('completed');
    expect(data.output_text).toBe('Hello from the mock.');
    expect(data.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello from the mock.' }] });
    expect(data.usage).toMatchObject({ input_tokens: 11, output_tokens: 4, total_tokens: 15 });
    expect(data).toMatchObject({ instructions: 'Be brief.', metadata: { team: 'a' }, max_output_tokens: 50, temperature: 0.3, store: true });
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-request-id')).toBeTruthy();
    // What went upstream: a chat completion with the instructions as the system message.
    expect(openai.requests[0]!.path).toBe('/v1/chat/completions');
    expect(openai.requests[0]!.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      max_completion_tokens: 50,
      temperature: 0.3,
      metadata: { team: 'a' },
    });

    const stored = await client.responses.retrieve(data.id);
    expect(stored.id).toBe(data.id);
    expect(stored.output_text).toBe('Hello from the mock.');
    const replay = await fetch(`${url}/v1/responses/${data.id}?stream=true`, { headers: { authorization: `Bearer ${tenant.projectKey}` } });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: { param: string } }).error.param).toBe('stream');
    const items = await client.responses.inputItems.list(data.id);
    expect(items.data).toEqual([{ type: 'message', role: 'user', content: 'Say hello' }]);

    const deleted: unknown = await client.responses.delete(data.id);
    expect(deleted).toEqual({ id: data.id, object: 'response.deleted', deleted: true });
    await expect(client.responses.retrieve(data.id)).rejects.toMatchObject({ status: 404, code: 'response_not_found' });
    const again = await fetch(`${url}/v1/responses/${data.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${tenant.projectKey}` } });
    expect(again.status).toBe(404);
  });

  it('streams with client.responses.stream(): text deltas, then finalResponse() as stored', async () => {
    openai.enqueue({ content: ['The', ' quick', ' brown', ' fox'], usage: { prompt_tokens: 5, completion_tokens: 4 } });
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'go' });
    const deltas: string[] = [];
    const types: string[] = [];
    stream.on('event', (e: ResponseStreamEvent) => types.push(e.type));
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas.join('')).toBe('The quick brown fox');
    expect(final.output_text).toBe('The quick brown fox');
    expect(final.status).toBe('completed');
    expect(final.usage).toMatchObject({ input_tokens: 5, output_tokens: 4, total_tokens: 9 });
    expect(types[0]).toBe('response.created');
    expect(types[1]).toBe('response.in_progress');
    expect(types[types.length - 1]).toBe('response.completed');
    expect(types).toEqual(expect.arrayContaining(['response.output_item.added', 'response.content_part.added', 'response.output_text.done', 'response.content_part.done', 'response.output_item.done']));
    // Stored before the client had the last event.
    expect((await client.responses.retrieve(final.id)).output_text).toBe('The quick brown fox');
  });

  it('runs a function-calling round trip with previous_response_id against OpenAI (non-streamed then streamed)', async () => {
    openai.enqueue({ toolCalls: [{ id: 'call_w', name: 'get_weather', arguments: ['{"city":', '"Paris"}'] }] });
    const first = await client.responses.create({ model: 'gpt-4o-mini', input: 'Weather in Paris?', tools: [weatherTool], tool_choice: 'auto' });
    const call = first.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', call_id: 'call_w', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' });
    expect(openai.requests[0]!.body.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: weatherTool.parameters, strict: true } },
    ]);

    openai.enqueue({ content: ['It is ', '21C.'] });
    const stream = client.responses.stream({
      model: 'gpt-4o-mini',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: 'call_w', output: '{"temp":21}' }],
      tools: [weatherTool],
    });
    const second = await stream.finalResponse();
    expect(second.output_text).toBe('It is 21C.');
    expect(second.previous_response_id).toBe(first.id);
    expect(openai.requests[1]!.body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_w', content: '{"temp":21}' },
    ]);
  });

  it('streams function calls as the SDK expects (function_call_arguments events and parsed items)', async () => {
    openai.enqueue({
      toolCalls: [
        { id: 'call_1', name: 'get_weather', arguments: ['{"ci', 'ty":"Paris"}'] },
        { id: 'call_2', name: 'get_weather', arguments: ['{"city":"Rome"}'] },
      ],
    });
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Weather in Paris and Rome?', tools: [weatherTool] });
    const argDone: string[] = [];
    stream.on('response.function_call_arguments.done', (e) => argDone.push(e.arguments));
    const final = await stream.finalResponse();
    expect(argDone).toEqual(['{"city":"Paris"}', '{"city":"Rome"}']);
    expect(final.output.map((o) => (o.type === 'function_call' ? [o.call_id, o.arguments] : o.type))).toEqual([
      ['call_1', '{"city":"Paris"}'],
      ['call_2', '{"city":"Rome"}'],
    ]);
  });

  it('answers through an Anthropic-backed model: text, streamed text, and a tool round trip with previous_response_id', async () => {
    anthropic.enqueue({ reply: { kind: 'text', text: 'Bonjour from Claude.' }, usage: { input: 12, output: 5 } });
    const plain = await client.responses.create({ model: '@claude/claude-sonnet-4-5', instructions: 'Answer in French.', input: 'Hello', max_output_tokens: 200 });
    expect(plain.output_text).toBe('Bonjour from Claude.');
    expect(plain.usage).toMatchObject({ input_tokens: 12, output_tokens: 5 });
    expect(anthropic.lastRequest!.body).toMatchObject({ system: 'Answer in French.', max_tokens: 200, messages: [{ role: 'user', content: 'Hello' }] });

    anthropic.enqueue({ reply: { kind: 'text', text: 'Streamed from Claude.' } });
    const streamed = await client.responses.stream({ model: '@claude/claude-sonnet-4-5', input: 'Stream please' }).finalResponse();
    expect(streamed.output_text).toBe('Streamed from Claude.');
    expect(streamed.status).toBe('completed');

    anthropic.enqueue({ reply: { kind: 'tool_calls', calls: [{ id: 'toolu_01', name: 'get_weather', arguments: '{"city":"Oslo"}' }] } });
    const first = await client.responses.stream({ model: '@claude/claude-sonnet-4-5', input: 'Weather in Oslo?', tools: [weatherTool] }).finalResponse();
    const call = first.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ call_id: 'toolu_01', name: 'get_weather', arguments: '{"city":"Oslo"}' });

    anthropic.enqueue({ reply: { kind: 'text', text: 'It is cold.' } });
    const input: ResponseInputItem[] = [{ type: 'function_call_output', call_id: 'toolu_01', output: '{"temp":-3}' }];
    const second = await client.responses.create({ model: '@claude/claude-sonnet-4-5', previous_response_id: first.id, input, tools: [weatherTool] });
    expect(second.output_text).toBe('It is cold.');
    expect(anthropic.lastRequest!.body.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Oslo' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: '{"temp":-3}' }] },
    ]);
  });

  it('records one request log per call: path /v1/responses, the Responses bodies, tokens and cost, streamed and not', async () => {
    openai.enqueue({ content: 'Logged.', usage: { prompt_tokens: 30, completion_tokens: 2 } });
    const { data, response } = await client.responses.create({ model: 'gpt-4o-mini', input: 'log me' }).withResponse();
    expect(Number(response.headers.get('x-gateway-cost'))).toBeGreaterThan(0);
    const record = await recordOf(response.headers.get('x-gateway-log-id'));
    expect(record).toMatchObject({ path: '/v1/responses', requestType: 'responses', stream: false, statusCode: 200, success: true, modelRequested: 'gpt-4o-mini', tokens: { input: 30, output: 2 } });
    expect(JSON.parse(record.bodies!.request!)).toEqual({ model: 'gpt-4o-mini', input: 'log me' });
    expect(JSON.parse(record.bodies!.response!)).toMatchObject({ id: data.id, object: 'response', output: data.output });

    openai.enqueue({ content: ['a', 'b'], usage: { prompt_tokens: 3, completion_tokens: 2 } });
    const { data: stream, response: streamed } = await client.responses.create({ model: 'gpt-4o-mini', input: 'stream me', stream: true }).withResponse();
    let completed: string | undefined;
    for await (const e of stream) if (e.type === 'response.completed') completed = e.response.id;
    const streamRecord = await recordOf(streamed.headers.get('x-gateway-log-id'));
    expect(streamRecord).toMatchObject({ path: '/v1/responses', requestType: 'responses', stream: true, success: true, tokens: { input: 3, output: 2 } });
    expect(JSON.parse(streamRecord.bodies!.response!)).toMatchObject({ id: completed, status: 'completed', output: [{ type: 'message', content: [{ text: 'ab' }] }] });
  });

  it('does not store with store: false, and answers an unknown previous_response_id with a 404 naming it', async () => {
    const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'x', store: false });
    expect(r).toMatchObject({ store: false });
    await expect(client.responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
    // Zero data retention for the request (cf-aig-zdr): stored no more than with store: false, though store defaults to true.
    const zdr = await client.responses.create({ model: 'gpt-4o-mini', input: 'x' }, { headers: { 'cf-aig-zdr': 'true' } });
    expect(zdr).toMatchObject({ store: true });
    await expect(client.responses.retrieve(zdr.id)).rejects.toMatchObject({ status: 404 });
    await expect(client.responses.create({ model: 'gpt-4o-mini', input: 'x', previous_response_id: r.id })).rejects.toMatchObject({
      status: 404,
      param: 'previous_response_id',
    });
    expect(openai.requests).toHaveLength(2);
  });

  it('keeps stored responses to their project', async () => {
    const r = await client.responses.create({ model: 'gpt-4o-mini', input: 'x' });
    const other = await seedTenant(url, env.config.admin.token);
    const res = await fetch(`${url}/v1/responses/${r.id}`, { headers: { authorization: `Bearer ${other.projectKey}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
  });

  it('refuses built-in tools with a 400 naming them, before any upstream call', async () => {
    await expect(client.responses.create({ model: 'gpt-4o-mini', input: 'x', tools: [{ type: 'web_search_preview' }] })).rejects.toMatchObject({
      status: 400,
      param: 'tools[0].type',
      code: 'unsupported_tool',
    });
    expect(openai.requests).toHaveLength(0);
  });

  it('ends a stream whose upstream drops after its first content with an error event: the SDK rejects finalResponse()', async () => {
    openai.enqueue({ content: ['one', ' two', ' three'], dropAfterChunks: 2 });
    const res = await fetch(`${url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json', 'x-gateway-translate': 'true' },
      body: JSON.stringify({ model: 'gpt-4o-mini', input: 'go', stream: true }),
    });
    const events = (await res.text()).split('\n\n').filter(Boolean);
    const types = events.map((e) => e.split('\n')[0]);
    expect(types.slice(-2)).toEqual(['event: error', 'event: response.failed']);
    const error = JSON.parse(events[events.length - 2]!.split('\n')[1]!.slice(6)) as { type: string; code: string; message: string };
    expect(error).toMatchObject({ type: 'error', code: expect.any(String), message: expect.any(String) });

    openai.enqueue({ content: ['one', ' two', ' three'], dropAfterChunks: 2 });
    await expect(client.responses.stream({ model: 'gpt-4o-mini', input: 'go' }).finalResponse()).rejects.toBeDefined();
  });
});
