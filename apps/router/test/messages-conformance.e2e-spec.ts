import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Anthropic from '@anthropic-ai/sdk';
import {
  AnthropicMockServer,
  BedrockMockServer,
  createTestEnvironment,
  describeImages,
  GeminiMockServer,
  MockOpenAIServer,
  seedTenant,
  TEST_PNG,
  type MockScenario,
  type TestEnvironment,
} from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

/**
 * The conformance suite's Messages column (issue 15): the chat suite's cases sent with the official
 * `@anthropic-ai/sdk` to `POST /v1/messages`, on a row per provider family, each case created and streamed
 * (`messages.stream().finalMessage()`); both must reduce to the same answer, the same for every provider, with
 * equal usage.
 */
const anthropic = new AnthropicMockServer();
const gemini = new GeminiMockServer();
const bedrock = new BedrockMockServer();
let openai: MockOpenAIServer;
let compatible: MockOpenAIServer;

interface Row {
  name: string;
  provider: string;
  model: string;
  set(s: MockScenario): void;
  credentials: () => Record<string, unknown>;
  baseUrl: () => string;
  /** The provider's "overloaded / unavailable" error type inside a 200 stream. */
  streamError: string;
}

const rows: Row[] = [
  { name: 'openai', provider: 'openai', model: 'gpt-4o-mini', set: (s) => openai.setScenario(s), credentials: () => ({ api_key: 'sk-openai-conformance' }), baseUrl: () => openai.url, streamError: 'server_error' },
  {
    name: 'anthropic',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    set: (s) => anthropic.setScenario(s),
    credentials: () => ({ api_key: anthropic.apiKey }),
    baseUrl: () => `${anthropic.url}/v1`,
    streamError: 'overloaded_error',
  },
  {
    name: 'gemini',
    provider: 'google-ai-studio',
    model: 'gemini-2.5-flash',
    set: (s) => gemini.setScenario(s),
    credentials: () => ({ api_key: gemini.apiKey }),
    baseUrl: () => `${gemini.url}/v1beta`,
    streamError: 'UNAVAILABLE',
  },
  {
    name: 'vertex',
    provider: 'google-vertex',
    model: 'gemini-2.5-pro',
    set: (s) => gemini.setScenario(s),
    credentials: () => gemini.vertexCredentials(),
    baseUrl: () => `${gemini.url}/v1`,
    streamError: 'UNAVAILABLE',
  },
  {
    name: 'vertex-claude',
    provider: 'google-vertex',
    model: 'claude-sonnet-4-5@20250929',
    set: (s) => gemini.setScenario(s),
    credentials: () => gemini.vertexCredentials(),
    baseUrl: () => `${gemini.url}/v1`,
    streamError: 'overloaded_error',
  },
  // The OpenAI-compatible family (Groq, Together, vLLM, …): the OpenAI wire format at the connection's base URL.
  {
    name: 'openai-compatible',
    provider: 'openai-compatible',
    model: 'llama-3.3-70b',
    set: (s) => compatible.setScenario(s),
    credentials: () => ({ api_key: 'sk-compatible-conformance' }),
    baseUrl: () => compatible.url,
    streamError: 'server_error',
  },
  {
    name: 'bedrock',
    provider: 'aws-bedrock',
    model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    set: (s) => bedrock.setScenario(s),
    credentials: () => ({ ...bedrock.credentials }),
    baseUrl: () => bedrock.url,
    streamError: 'serviceUnavailableException',
  },
];

let env: TestEnvironment;
let router: NestFastifyApplication;
let url: string;

beforeAll(async () => {
  [openai, compatible] = await Promise.all([MockOpenAIServer.start(), MockOpenAIServer.start(), anthropic.start(), gemini.start(), bedrock.start()]);
  env = await createTestEnvironment();
  router = await startRouter(env.config, 0);
  url = await router.getUrl();
});
afterAll(async () => {
  await router?.close();
  await env?.cleanup();
  await Promise.all([openai?.close(), compatible?.close(), anthropic.stop(), gemini.stop(), bedrock.stop()]);
});

/** What a user reads from a Message; tool_use ids are checked for shape, not value. */
interface Result {
  content: ({ type: 'text'; text: string } | { type: 'tool_use'; name: string; input: unknown })[];
  stop_reason: string | null;
  usage: { input_tokens: number; output_tokens: number };
}

function resultOf(m: Anthropic.Message): Result {
  expect(m.type).toBe('message');
  expect(m.role).toBe('assistant');
  expect(m.id).toMatch(/^msg_/);
  const content = m.content.flatMap((b): Result['content'] => {
    if (b.type === 'text') return [{ type: 'text', text: b.text }];
    if (b.type === 'tool_use') {
      expect(b.id).toMatch(/^\S+$/);
      return [{ type: 'tool_use', name: b.name, input: b.input }];
    }
    return [];
  });
  return { content, stop_reason: m.stop_reason, usage: { input_tokens: m.usage.input_tokens, output_tokens: m.usage.output_tokens } };
}

/** Runs one request created and streamed: both must reduce to the same result; returns it and both messages. */
async function both(client: Anthropic, body: Anthropic.MessageCreateParamsNonStreaming): Promise<{ result: Result; messages: Anthropic.Message[] }> {
  const plain = await client.messages.create(body);
  const streamed = await client.messages.stream(body).finalMessage();
  const result = resultOf(plain);
  expect(resultOf(streamed)).toEqual(result);
  return { result, messages: [plain, streamed] };
}

const USAGE = { input_tokens: 21, output_tokens: 9 };
const text = (t: string, stop = 'end_turn'): Result => ({ content: [{ type: 'text', text: t }], stop_reason: stop, usage: USAGE });
const WEATHER: Anthropic.Tool = { name: 'get_weather', description: 'Current weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

describe.each(rows)('messages conformance: $name', (p) => {
  let client: Anthropic;
  let key: string;
  const model = `${p.provider}/${p.model}`;
  const ask = (messages: Anthropic.MessageParam[], extra: Partial<Anthropic.MessageCreateParamsNonStreaming> = {}) => ({ model, max_tokens: 1024, messages, ...extra });
  beforeAll(async () => {
    const tenant = await seedTenant(url, env.config.admin.token, { provider: p.provider, slug: `${p.name}-conn`, credentials: p.credentials(), base_url: p.baseUrl() });
    key = tenant.projectKey;
    // The translation on every row: Claude providers would otherwise be sent the body as is (passthrough.e2e-spec.ts).
    client = new Anthropic({ apiKey: key, baseURL: url, maxRetries: 0, defaultHeaders: { 'x-gateway-translate': 'true' } });
  });
  beforeEach(() => p.set({}));

  it('plain text with a system prompt', async () => {
    expect((await both(client, ask([{ role: 'user', content: 'Hi' }], { system: 'Be brief.' }))).result).toEqual(text('Hello! How can I help?'));
  });

  it('multi-turn', async () => {
    p.set({ reply: { kind: 'text', text: 'Your name is Ada.' } });
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ];
    expect((await both(client, ask(messages))).result).toEqual(text('Your name is Ada.'));
  });

  it('image input (base64)', async () => {
    p.set({ reply: { kind: 'describe_images' } });
    const image: Anthropic.ImageBlockParam = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: TEST_PNG.toString('base64') } };
    expect((await both(client, ask([{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, image] }]))).result).toEqual(text(describeImages([{ mime: 'image/png', data: TEST_PNG }])));
  });

  it('parallel tool calls, then the tool results round trip from both forms of the answer', async () => {
    p.set({ reply: { kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }, { name: 'get_weather', arguments: '{"city":"Rome"}' }] } });
    const user: Anthropic.MessageParam = { role: 'user', content: 'Weather in Paris and Rome?' };
    const first = await both(client, ask([user], { tools: [WEATHER] }));
    expect(first.result).toEqual({
      content: [
        { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', name: 'get_weather', input: { city: 'Rome' } },
      ],
      stop_reason: 'tool_use',
      usage: USAGE,
    });
    p.set({ reply: { kind: 'text', text: 'Paris 21°C, Rome 25°C.' } });
    for (const answer of first.messages) {
      const ids = answer.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
      const results: Anthropic.ToolResultBlockParam[] = ids.map((id, i) => ({ type: 'tool_result', tool_use_id: id, content: `{"temp_c":${21 + 4 * i}}` }));
      const messages: Anthropic.MessageParam[] = [user, { role: 'assistant', content: answer.content }, { role: 'user', content: results }];
      expect((await both(client, ask(messages, { tools: [WEATHER] }))).result).toEqual(text('Paris 21°C, Rome 25°C.'));
    }
  });

  it('JSON schema output (output_config.format)', async () => {
    p.set({ reply: { kind: 'json', value: { city: 'Paris', temp_c: 21 } } });
    const schema = { type: 'object', properties: { city: { type: 'string' }, temp_c: { type: 'number' } }, required: ['city', 'temp_c'] };
    const { result } = await both(client, ask([{ role: 'user', content: 'Weather in Paris as JSON' }], { output_config: { format: { type: 'json_schema', schema } } }));
    expect(result.stop_reason).toBe('end_turn');
    expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual({ city: 'Paris', temp_c: 21 });
  });

  it('stop sequences and the output limit', async () => {
    p.set({ reply: { kind: 'length', text: 'Once upon a' } });
    expect((await both(client, ask([{ role: 'user', content: 'Tell a story' }], { max_tokens: 5, stop_sequences: ['THE END'] }))).result).toEqual(text('Once upon a', 'max_tokens'));
  });

  it('an upstream 400 is an invalid_request_error', async () => {
    p.set({ faults: { status: 400, message: 'bad input' } });
    const err = await client.messages.create(ask([{ role: 'user', content: 'Hi' }])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('an error inside a 200 stream ends the stream with an error event the SDK throws', async () => {
    p.set({ faults: { errorInStream: { type: p.streamError, message: 'Overloaded' }, delayBetweenChunksMs: 30 } });
    await expect(client.messages.stream(ask([{ role: 'user', content: 'Hi' }])).finalMessage()).rejects.toBeInstanceOf(Anthropic.APIError);
    const res = await fetch(`${url}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json', 'x-gateway-translate': 'true' }, body: JSON.stringify({ ...ask([{ role: 'user', content: 'Hi' }]), stream: true }) });
    expect(res.status).toBe(200);
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events[0]).toMatch(/^event: message_start\n/);
    expect(events.at(-1)).toMatch(/^event: error\ndata: \{"type":"error","error":\{"type":"(overloaded_error|api_error)"/);
    expect(events.some((e) => e.startsWith('event: message_stop'))).toBe(false);
  });
});
