import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI, type OpenAIProvider } from '@ai-sdk/openai';
import { embed, embedMany, generateText, jsonSchema, Output, stepCountIs, streamText, tool } from 'ai';
import { createTestEnvironment, mockVector, MockOpenAIServer, seedTenant, type RecordedRequest, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

/** One function tool as the AI SDK declares it, with a local `execute` (the SDK runs it and sends the result back). */
const weatherTool = tool({
  description: 'The weather in a city',
  inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
  execute: ({ city }) => Promise.resolve(`22°C and sunny in ${city}`),
});

/** Every text delta of a stream, in order. */
async function deltasOf(stream: AsyncIterable<string>): Promise<string[]> {
  const deltas: string[] = [];
  for await (const delta of stream) deltas.push(delta);
  return deltas;
}

/** The chat messages the upstream received on one request. */
const messagesOf = (r: RecordedRequest) => (r.body as { messages: { role: string; content?: unknown; tool_call_id?: string; tool_calls?: unknown[] }[] }).messages;

/**
 * The Vercel AI SDK (`ai` with `@ai-sdk/openai` and `@ai-sdk/anthropic`), unmodified but for the base URL and the
 * key, against the router and an OpenAI upstream (the protocol mock): `openai(model)` speaks the Responses API,
 * `openai.chat` chat completions, `openai.embedding` embeddings, `anthropic(model)` Anthropic Messages.
 */
describe('the Vercel AI SDK through the router', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let url: string;
  let upstream: MockOpenAIServer;
  let tenant: SeededTenant;
  let openai: OpenAIProvider;
  let anthropic: ReturnType<typeof createAnthropic>;

  beforeAll(async () => {
    // The SDK warns that it does not know `gpt-4o-mini` as a Claude model (true: the router serves it).
    (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
    env = await createTestEnvironment();
    router = await startRouter(env.config, 0);
    url = await router.getUrl();
    upstream = await MockOpenAIServer.start();
    tenant = await seedTenant(url, env.config.admin.token, { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-openai-ai-sdk-key' }, base_url: upstream.url });
    // These cases test the Responses translation against the OpenAI mock's chat completions: without the header the
    // router passes the Responses body through to OpenAI as is (passthrough.e2e-spec.ts).
    openai = createOpenAI({ baseURL: `${url}/v1`, apiKey: tenant.projectKey, headers: { 'x-gateway-translate': 'true' } });
    anthropic = createAnthropic({ baseURL: `${url}/v1`, apiKey: tenant.projectKey });
  });

  afterEach(() => upstream.reset());

  afterAll(async () => {
    await router?.close();
    await upstream?.close();
    await env?.cleanup();
  });

  /** Queues a tool call of get_weather (arguments streamed in two fragments), then the final answer. */
  const enqueueToolRoundTrip = () =>
    upstream.enqueue(
      { toolCalls: [{ id: 'call_weather_1', name: 'get_weather', arguments: ['{"city":', '"Paris"}'] }], usage: { prompt_tokens: 20, completion_tokens: 8 } },
      { content: ['It is 22°C', ' in Paris.'], usage: { prompt_tokens: 40, completion_tokens: 6 } },
    );

  /** The second upstream call of a round trip carries the assistant's tool call and the tool's result. */
  const expectToolResultSent = () => {
    expect(upstream.requests).toHaveLength(2);
    const second = messagesOf(upstream.requests[1]!);
    expect(second.find((m) => m.role === 'assistant')).toMatchObject({ tool_calls: [{ id: 'call_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] });
    expect(second.find((m) => m.role === 'tool')).toMatchObject({ tool_call_id: 'call_weather_1' });
    expect(JSON.stringify(second.find((m) => m.role === 'tool')!.content)).toContain('22°C and sunny in Paris');
  };

  describe('openai(model): the Responses API', () => {
    it('generateText: system and prompt translated; text, usage and finish reason back', async () => {
      const result = await generateText({ model: openai('gpt-4o-mini'), system: 'Be brief.', prompt: 'Say hello', maxOutputTokens: 50, temperature: 0.3 });
      expect(result.text).toBe('Hello from the mock.');
      expect(result.finishReason).toBe('stop');
      expect(result.usage).toMatchObject({ inputTokens: 11, outputTokens: 4, totalTokens: 15 });
      expect(result.response.id).toMatch(/^resp_/);
      expect(upstream.requests).toHaveLength(1);
      expect(upstream.requests[0]!.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 50, temperature: 0.3 });
      expect(messagesOf(upstream.requests[0]!).map((m) => m.role)).toEqual(['system', 'user']);
    });

    it('streamText: the text deltas in order, usage at the end', async () => {
      const result = streamText({ model: openai('gpt-4o-mini'), prompt: 'Say hello' });
      const deltas = await deltasOf(result.textStream);
      expect(deltas.join('')).toBe('Hello from the mock.');
      expect(deltas.length).toBeGreaterThan(1);
      expect(await result.finishReason).toBe('stop');
      expect(await result.usage).toMatchObject({ inputTokens: 11, outputTokens: 4 });
    });

    it('generateText with a tool: the call, the local execute and the result sent back (function_call_output)', async () => {
      enqueueToolRoundTrip();
      const result = await generateText({ model: openai('gpt-4o-mini'), prompt: 'Weather in Paris?', tools: { get_weather: weatherTool }, stopWhen: stepCountIs(3) });
      expect(result.steps).toHaveLength(2);
      expect(result.steps[0]!.toolCalls).toMatchObject([{ toolCallId: 'call_weather_1', toolName: 'get_weather', input: { city: 'Paris' } }]);
      expect(result.text).toBe('It is 22°C in Paris.');
      expect((upstream.requests[0]!.body as { tools: unknown[] }).tools).toMatchObject([{ type: 'function', function: { name: 'get_weather', parameters: { required: ['city'] } } }]);
      expectToolResultSent();
    });

    it('streamText with a tool: the streamed call and the final text', async () => {
      enqueueToolRoundTrip();
      const result = streamText({ model: openai('gpt-4o-mini'), prompt: 'Weather in Paris?', tools: { get_weather: weatherTool }, stopWhen: stepCountIs(3) });
      expect(await result.text).toBe('It is 22°C in Paris.');
      const steps = await result.steps;
      expect(steps[0]!.toolCalls).toMatchObject([{ toolName: 'get_weather', input: { city: 'Paris' } }]);
      expectToolResultSent();
    });

    it('parallel tool calls streamed, with store: false (the SDK then sends the items themselves, no references)', async () => {
      upstream.enqueue(
        {
          toolCalls: [
            { id: 'call_a', name: 'get_weather', arguments: ['{"city":"Paris"}'] },
            { id: 'call_b', name: 'get_weather', arguments: ['{"city":', '"Oslo"}'] },
          ],
          usage: { prompt_tokens: 20, completion_tokens: 16 },
        },
        { content: 'Paris 22°C, Oslo 22°C.', usage: { prompt_tokens: 60, completion_tokens: 8 } },
      );
      const result = streamText({
        model: openai('gpt-4o-mini'),
        prompt: 'Weather in Paris and Oslo?',
        tools: { get_weather: weatherTool },
        stopWhen: stepCountIs(3),
        providerOptions: { openai: { store: false } },
      });
      expect(await result.text).toBe('Paris 22°C, Oslo 22°C.');
      expect((await result.steps)[0]!.toolCalls.map((c) => c.input)).toEqual([{ city: 'Paris' }, { city: 'Oslo' }]);
      const second = messagesOf(upstream.requests[1]!);
      expect(second.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual(['call_a', 'call_b']);
      expect(second.find((m) => m.role === 'assistant')!.tool_calls).toHaveLength(2);
    });

    it('structured output (Output.object): text.format json_schema translated to response_format, the object parsed', async () => {
      upstream.enqueue({ content: '{"city":"Paris","celsius":22}', usage: { prompt_tokens: 12, completion_tokens: 9 } });
      const schema = jsonSchema<{ city: string; celsius: number }>({
        type: 'object',
        properties: { city: { type: 'string' }, celsius: { type: 'number' } },
        required: ['city', 'celsius'],
        additionalProperties: false,
      });
      const result = await generateText({ model: openai('gpt-4o-mini'), prompt: 'Weather in Paris as JSON', output: Output.object({ schema, name: 'weather' }) });
      expect(result.output).toEqual({ city: 'Paris', celsius: 22 });
      expect(upstream.requests[0]!.body).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'weather', strict: true, schema: { required: ['city', 'celsius'] } } } });
    });

    it('an image part (input_image data URL) reaches the upstream as an image_url part', async () => {
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');
      const result = await generateText({
        model: openai('gpt-4o-mini'),
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', image: png, mediaType: 'image/png' }] }],
      });
      expect(result.text).toBe('Hello from the mock.');
      expect(upstream.requests[0]!.images).toEqual([{ mime: 'image/png', data: png }]);
    });

    it('previousResponseId (provider option): the stored conversation is sent again', async () => {
      const first = await generateText({ model: openai('gpt-4o-mini'), prompt: 'Remember the word kiwi.' });
      upstream.reset();
      const second = await generateText({ model: openai('gpt-4o-mini'), prompt: 'Which word?', providerOptions: { openai: { previousResponseId: first.response.id } } });
      expect(second.text).toBe('Hello from the mock.');
      const sent = messagesOf(upstream.requests[0]!);
      expect(sent.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
      expect(JSON.stringify(sent[0]!.content)).toContain('kiwi');
    });

    it('a reasoning model (o3-mini): reasoning effort and the system prompt reach OpenAI as it accepts them', async () => {
      const result = await generateText({
        model: openai('o3-mini'),
        system: 'Answer in one word.',
        prompt: 'Hi',
        maxOutputTokens: 100,
        providerOptions: { openai: { reasoningEffort: 'low' } },
      });
      expect(result.text).toBe('Hello from the mock.');
      const body = upstream.requests[0]!.body as Record<string, unknown>;
      expect(body).toMatchObject({ model: 'o3-mini', reasoning_effort: 'low', max_completion_tokens: 100 });
      expect(body).not.toHaveProperty('max_tokens');
      expect(messagesOf(upstream.requests[0]!)[0]!.role).toMatch(/^(system|developer)$/);
    });

    it('an upstream error reaches the SDK as an APICallError with the status', async () => {
      upstream.enqueue({ status: 400, errorMessage: 'bad request from upstream' });
      await expect(generateText({ model: openai('gpt-4o-mini'), prompt: 'x', maxRetries: 0 })).rejects.toMatchObject({ statusCode: 400 });
    });
  });

  describe('openai.chat(model): chat completions', () => {
    it('generateText and streamText', async () => {
      const text = await generateText({ model: openai.chat('gpt-4o-mini'), prompt: 'Say hello' });
      expect(text.text).toBe('Hello from the mock.');
      expect(text.usage).toMatchObject({ inputTokens: 11, outputTokens: 4 });
      const stream = streamText({ model: openai.chat('gpt-4o-mini'), prompt: 'Say hello' });
      expect(await stream.text).toBe('Hello from the mock.');
      expect(await stream.usage).toMatchObject({ inputTokens: 11, outputTokens: 4 });
      expect((upstream.requests[1]!.body as { stream?: boolean }).stream).toBe(true);
    });

    it('a tool round trip', async () => {
      enqueueToolRoundTrip();
      const result = await generateText({ model: openai.chat('gpt-4o-mini'), prompt: 'Weather in Paris?', tools: { get_weather: weatherTool }, stopWhen: stepCountIs(3) });
      expect(result.text).toBe('It is 22°C in Paris.');
      expectToolResultSent();
    });
  });

  describe('openai.embedding(model)', () => {
    it('embed and embedMany', async () => {
      const one = await embed({ model: openai.embedding('text-embedding-3-small'), value: 'the quick brown fox' });
      expect(one.embedding).toEqual(mockVector('the quick brown fox', 8));
      const many = await embedMany({ model: openai.embedding('text-embedding-3-small'), values: ['the quick brown fox', 'jumps'] });
      expect(many.embeddings).toEqual([mockVector('the quick brown fox', 8), mockVector('jumps', 8)]);
      expect(many.usage.tokens).toBeGreaterThan(0);
    });
  });

  describe('anthropic(model) against an OpenAI-backed model: Anthropic Messages', () => {
    it('generateText', async () => {
      const result = await generateText({ model: anthropic('gpt-4o-mini'), system: 'Be brief.', prompt: 'Say hello', maxOutputTokens: 64 });
      expect(result.text).toBe('Hello from the mock.');
      expect(result.finishReason).toBe('stop');
      expect(result.usage).toMatchObject({ inputTokens: 11, outputTokens: 4 });
      expect(messagesOf(upstream.requests[0]!).map((m) => m.role)).toEqual(['system', 'user']);
    });

    it('thinking (budgetTokens) against a reasoning model becomes a reasoning effort', async () => {
      const result = await generateText({
        model: anthropic('o3-mini'),
        prompt: 'Hi',
        maxOutputTokens: 4000,
        providerOptions: { anthropic: { thinking: { type: 'enabled', budgetTokens: 2048 } } },
      });
      expect(result.text).toBe('Hello from the mock.');
      const body = upstream.requests[0]!.body as Record<string, unknown>;
      expect(body).toMatchObject({ model: 'o3-mini', reasoning_effort: expect.stringMatching(/^(low|medium|high)$/) as unknown });
      expect(body).not.toHaveProperty('max_tokens');
    });

    it('streamText', async () => {
      const result = streamText({ model: anthropic('gpt-4o-mini'), prompt: 'Say hello' });
      expect((await deltasOf(result.textStream)).join('')).toBe('Hello from the mock.');
      expect(await result.usage).toMatchObject({ inputTokens: 11, outputTokens: 4 });
    });

    it('generateText and streamText with a tool round trip', async () => {
      enqueueToolRoundTrip();
      const result = await generateText({ model: anthropic('gpt-4o-mini'), prompt: 'Weather in Paris?', tools: { get_weather: weatherTool }, stopWhen: stepCountIs(3) });
      expect(result.steps[0]!.toolCalls).toMatchObject([{ toolCallId: 'call_weather_1', toolName: 'get_weather', input: { city: 'Paris' } }]);
      expect(result.text).toBe('It is 22°C in Paris.');
      expectToolResultSent();
      upstream.reset();
      enqueueToolRoundTrip();
      const streamed = streamText({ model: anthropic('gpt-4o-mini'), prompt: 'Weather in Paris?', tools: { get_weather: weatherTool }, stopWhen: stepCountIs(3) });
      expect(await streamed.text).toBe('It is 22°C in Paris.');
      expect((await streamed.steps)[0]!.toolCalls).toMatchObject([{ toolName: 'get_weather', input: { city: 'Paris' } }]);
      expectToolResultSent();
    });
  });
});
