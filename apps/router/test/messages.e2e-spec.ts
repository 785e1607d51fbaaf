import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Anthropic from '@anthropic-ai/sdk';
import { AnthropicMockServer, createTestEnvironment, GeminiMockServer, httpJson, MockOpenAIServer, seedTenant, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

/** The SSE events of a raw Messages stream: their `event:` names in order, and the parsed data. */
async function events(res: Response): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((e) => e.startsWith('event: '))
    .map((e) => {
      const [eventLine, dataLine] = e.split('\n');
      return { event: eventLine!.slice(7), data: JSON.parse(dataLine!.slice(6)) as Record<string, unknown> };
    });
}

describe('POST /v1/messages (Anthropic Messages) through the router', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let url: string;
  let openai: MockOpenAIServer;
  const gemini = new GeminiMockServer();
  const anthropic = new AnthropicMockServer();
  let tenant: SeededTenant;
  let client: Anthropic;

  const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': tenant.projectKey }) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    env = await createTestEnvironment();
    router = await startRouter(env.config, 0);
    url = await router.getUrl();
    [openai] = await Promise.all([MockOpenAIServer.start(), gemini.start(), anthropic.start()]);
    tenant = await seedTenant(url, env.config.admin.token, { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-openai-messages-key' }, base_url: openai.url });
    const conn = await httpJson(`${url}/v1/admin/connections`, {
      token: env.config.admin.token,
      body: { organization_id: tenant.organizationId, provider: 'google-ai-studio', name: 'gemini', slug: 'gemini', credentials: { api_key: gemini.apiKey }, base_url: `${gemini.url}/v1beta` },
    });
    expect(conn.status).toBe(201);
    const claude = await httpJson(`${url}/v1/admin/connections`, {
      token: env.config.admin.token,
      body: { organization_id: tenant.organizationId, provider: 'anthropic', name: 'claude', slug: 'claude', credentials: { api_key: anthropic.apiKey }, base_url: `${anthropic.url}/v1` },
    });
    expect(claude.status).toBe(201);
    // The official client, unmodified but for the base URL; its key goes as `x-api-key`.
    client = new Anthropic({ apiKey: tenant.projectKey, baseURL: url, maxRetries: 0 });
  });

  /** The next turn of a tool round trip: the assistant's answer as it came, then the tool's result. */
  const answerToolUse = (model: string, question: Anthropic.MessageParam, first: Anthropic.Message, toolUse: Anthropic.ToolUseBlock) =>
    client.messages.create({
      model,
      max_tokens: 256,
      tools: [weatherTool],
      messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '22°C, sunny' }] }],
    });

  afterEach(() => {
    openai.reset();
    gemini.reset();
    anthropic.reset();
  });

  afterAll(async () => {
    await router?.close();
    await Promise.all([openai?.close(), gemini.stop(), anthropic.stop()]);
    await env?.cleanup();
  });

  describe('against an OpenAI-backed model', () => {
    it('messages.create: system, stop sequences, metadata and sampling translated; a Message back with usage', async () => {
      openai.enqueue({ content: 'Hello from the mock.', usage: { prompt_tokens: 10, completion_tokens: 5 } });
      const { data, response } = await client.messages
        .create({
          model: 'gpt-4o-mini',
          max_tokens: 256,
          system: [{ type: 'text', text: 'Be brief.' }],
          messages: [{ role: 'user', content: 'hi' }],
          stop_sequences: ['END'],
          metadata: { user_id: 'user-7' },
          // Sampling fields older clients send (this SDK version no longer types them).
          ...({ temperature: 0.5 } as object),
        })
        .withResponse();
      expect(data).toMatchObject({
        type: 'message',
        role: 'assistant',
        model: 'gpt-4o-mini',
        content: [{ type: 'text', text: 'Hello from the mock.' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      });
      expect(data.id).toMatch(/^msg_/);
      expect(response.headers.get('x-gateway-provider')).toBe('openai');
      const sent = openai.requests[0]!;
      expect(sent.headers['authorization']).toBe('Bearer sk-openai-messages-key');
      expect(sent.body).toEqual({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hi' },
        ],
        max_tokens: 256,
        temperature: 0.5,
        stop: ['END'],
        user: 'user-7',
      });
    });

    it('messages.create with tools: tool_use back, then the tool_result round trip', async () => {
      openai.enqueue({ toolCalls: [{ id: 'call_w1', name: 'get_weather', arguments: ['{"city":', '"Paris"}'] }], finishReason: 'tool_calls' }, { content: 'Sunny in Paris.' });
      const question: Anthropic.MessageParam = { role: 'user', content: 'Weather in Paris?' };
      const first = await client.messages.create({ model: 'gpt-4o-mini', max_tokens: 256, tools: [weatherTool], tool_choice: { type: 'auto' }, messages: [question] });
      expect(first.stop_reason).toBe('tool_use');
      const toolUse = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
      expect(toolUse).toEqual({ type: 'tool_use', id: 'call_w1', name: 'get_weather', input: { city: 'Paris' } });
      expect(openai.requests[0]!.body.tools).toEqual([
        { type: 'function', function: { name: 'get_weather', description: 'The weather in a city', parameters: weatherTool.input_schema } },
      ]);
      expect(openai.requests[0]!.body.tool_choice).toBe('auto');

      const second = await answerToolUse('gpt-4o-mini', question, first, toolUse);
      expect(second.content).toEqual([{ type: 'text', text: 'Sunny in Paris.' }]);
      expect(openai.requests[1]!.body.messages).toEqual([
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_w1', content: '22°C, sunny' },
      ]);
    });

    it('messages.stream with tools: finalMessage() assembles text and tool input from input_json_delta', async () => {
      openai.enqueue({ content: ['Let me ', 'check.'], toolCalls: [{ id: 'call_s1', name: 'get_weather', arguments: ['{"ci', 'ty": "Par', 'is"}'] }], finishReason: 'tool_calls', usage: { prompt_tokens: 30, completion_tokens: 12 } });
      const stream = client.messages.stream({ model: 'gpt-4o-mini', max_tokens: 256, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
      const partialJson: string[] = [];
      stream.on('inputJson', (fragment) => partialJson.push(fragment));
      const message = await stream.finalMessage();
      expect(message.content).toEqual([
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_s1', name: 'get_weather', input: { city: 'Paris' } },
      ]);
      expect(partialJson.join('')).toBe('{"city": "Paris"}');
      expect(message.stop_reason).toBe('tool_use');
      expect(message.usage).toMatchObject({ input_tokens: 30, output_tokens: 12 });
      expect(openai.requests[0]!.body.stream).toBe(true);
    });

    it('streams the Anthropic event sequence, blocks numbered in order', async () => {
      openai.enqueue({ content: ['a', 'b'], usage: { prompt_tokens: 5, completion_tokens: 2 } });
      const res = await post('/v1/messages', { model: 'gpt-4o-mini', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'go' }] });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const evs = await events(res);
      expect(evs.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
      expect(evs[5]!.data).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 5, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } });
    });

    it('an upstream error inside the stream ends it with an Anthropic error event, which the SDK throws', async () => {
      openai.enqueue({ content: ['one', 'two', 'three'], errorEventAfterChunks: 2, chunkDelayMs: 50 });
      const res = await post('/v1/messages', { model: 'gpt-4o-mini', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'go' }] });
      const evs = await events(res);
      const last = evs.at(-1)!;
      expect(last.event).toBe('error');
      expect(last.data).toMatchObject({ type: 'error', error: { type: expect.any(String), message: expect.any(String) } });
      expect(evs.map((e) => e.event)).not.toContain('message_stop');

      openai.enqueue({ content: ['one', 'two', 'three'], errorEventAfterChunks: 2, chunkDelayMs: 50 });
      const stream = client.messages.stream({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'go' }] });
      await expect(stream.finalMessage()).rejects.toBeInstanceOf(Anthropic.APIError);
    });
  });

  describe('against a Gemini-backed model', () => {
    it('messages.create: tool_use, then the tool_result round trip reaches Gemini as a functionResponse', async () => {
      gemini.enqueue({ reply: { kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] } }, { reply: { kind: 'text', text: 'Sunny in Paris.' } });
      const question: Anthropic.MessageParam = { role: 'user', content: 'Weather in Paris?' };
      const first = await client.messages.create({ model: 'gemini-2.5-flash', max_tokens: 256, tools: [weatherTool], tool_choice: { type: 'any' }, messages: [question] });
      expect(first.stop_reason).toBe('tool_use');
      const toolUse = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
      expect(toolUse).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
      expect(gemini.requests[0]!.body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });

      const second = await answerToolUse('gemini-2.5-flash', question, first, toolUse);
      expect(second.content).toEqual([{ type: 'text', text: 'Sunny in Paris.' }]);
      expect(second.stop_reason).toBe('end_turn');
      const parts = (gemini.requests[1]!.body.contents as { parts: Record<string, unknown>[] }[]).flatMap((c) => c.parts);
      expect(parts.some((p) => (p['functionResponse'] as { name?: string } | undefined)?.name === 'get_weather')).toBe(true);
    });

    it('messages.stream with tools and thinking: the budget becomes Gemini thinking, thoughts a thinking block', async () => {
      gemini.enqueue({ reply: { kind: 'reasoning', reasoning: 'The user wants weather.', text: 'Checking.' } });
      const stream = client.messages.stream({
        model: 'gemini-2.5-flash',
        max_tokens: 4096,
        thinking: { type: 'enabled', budget_tokens: 2048 },
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      });
      const message = await stream.finalMessage();
      expect(message.content).toEqual([
        { type: 'thinking', thinking: 'The user wants weather.', signature: '' },
        { type: 'text', text: 'Checking.' },
      ]);
      expect(gemini.requests[0]!.body.generationConfig.thinkingConfig).toEqual({ thinkingBudget: 2048, includeThoughts: true });

      gemini.enqueue({ reply: { kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] } });
      const toolStream = client.messages.stream({ model: 'gemini-2.5-flash', max_tokens: 256, tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
      const toolMessage = await toolStream.finalMessage();
      expect(toolMessage.stop_reason).toBe('tool_use');
      expect(toolMessage.content).toEqual([{ type: 'tool_use', id: expect.any(String), name: 'get_weather', input: { city: 'Paris' } }]);
    });
  });

  describe('against a Claude model (passed through to Anthropic as sent)', () => {
    it('messages.stream with thinking and tools: signed thinking and cache marks survive the tool round trip', async () => {
      anthropic.enqueue(
        { reply: { kind: 'tool_calls', calls: [{ id: 'toolu_c1', name: 'get_weather', arguments: '{"city":"Paris"}' }], reasoning: 'I should call the tool.', redacted: true } },
        { reply: { kind: 'text', text: 'Sunny in Paris.' } },
      );
      const request = {
        model: 'anthropic/claude-sonnet-4-5',
        max_tokens: 4096,
        thinking: { type: 'enabled' as const, budget_tokens: 2048 },
        system: [{ type: 'text' as const, text: 'You are a weather bot.', cache_control: { type: 'ephemeral' as const } }],
        tools: [weatherTool],
      };
      const question: Anthropic.MessageParam = { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?', cache_control: { type: 'ephemeral' } }] };
      const first = await client.messages.stream({ ...request, messages: [question] }).finalMessage();
      expect(first.content.map((b) => b.type)).toEqual(['thinking', 'redacted_thinking', 'tool_use']);
      expect((first.content[0] as Anthropic.ThinkingBlock).signature).not.toBe('');
      const sent = anthropic.requests[0]!.body;
      expect(sent.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
      expect(sent.system).toEqual([{ type: 'text', text: 'You are a weather bot.', cache_control: { type: 'ephemeral' } }]);
      expect(sent.messages[0].content).toEqual([{ type: 'text', text: 'Weather in Paris?', cache_control: { type: 'ephemeral' } }]);

      // The mock refuses a thinking block whose signature does not match, and a tool turn without its thinking.
      const toolUse = first.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
      const second = await client.messages
        .stream({ ...request, messages: [question, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '22°C' }] }] })
        .finalMessage();
      expect(second.content).toEqual([{ type: 'text', text: 'Sunny in Paris.' }]);
      expect(anthropic.requests[1]!.body.messages[1].content.map((b: { type: string }) => b.type)).toEqual(['thinking', 'redacted_thinking', 'tool_use']);
    });
  });

  describe('auth and errors in the Anthropic shape', () => {
    it('accepts the key as Authorization: Bearer (ANTHROPIC_AUTH_TOKEN) too', async () => {
      const bearerClient = new Anthropic({ authToken: tenant.projectKey, apiKey: null, baseURL: url, maxRetries: 0 });
      const message = await bearerClient.messages.create({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] });
      expect(message.content).toEqual([{ type: 'text', text: 'Hello from the mock.' }]);
    });

    it('a bad key is a 401 authentication_error', async () => {
      const res = await post('/v1/messages', { model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }, { 'x-api-key': 'sy_not_a_key' });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: expect.any(String) } });
      const bad = new Anthropic({ apiKey: 'sy_not_a_key', baseURL: url, maxRetries: 0 });
      await expect(bad.messages.create({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    });

    it('a bad request is a 400 invalid_request_error naming the field, before any upstream call', async () => {
      const res = await post('/v1/messages', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { type: string; error: { type: string; message: string }; request_id: string };
      expect(body.type).toBe('error');
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.message).toContain('max_tokens');
      expect(body.request_id).toBe(res.headers.get('x-request-id'));
      await expect(
        client.messages.create({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'web_search_20250305', name: 'web_search' }] }),
      ).rejects.toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error' } } });
      expect(openai.requests).toHaveLength(0);
    });

    it('an unknown model is a 404 not_found_error', async () => {
      const err = await client.messages.create({ model: 'no-such-model', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.NotFoundError);
      expect((err as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining('no-such-model') } });
    });
  });

  it('count_tokens answers an estimate without calling the provider', async () => {
    const { input_tokens } = await client.messages.countTokens({ model: 'gpt-4o-mini', system: 'Be brief.', tools: [weatherTool], messages: [{ role: 'user', content: 'How is the weather in Paris today?' }] });
    expect(input_tokens).toBeGreaterThan(10);
    expect(input_tokens).toBeLessThan(200);
    expect(openai.requests).toHaveLength(0);
    const unknown = await post('/v1/messages/count_tokens', { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});
