import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { FunctionTool, Response, ResponseCreateParamsNonStreaming, ResponseInputItem } from 'openai/resources/responses/responses';
import {
  AnthropicMockServer,
  BedrockMockServer,
  createTestEnvironment,
  describeImages,
  GeminiMockServer,
  MockOpenAIServer,
  seedTenant,
  TEST_GIF,
  TEST_PNG,
  TestImageServer,
  type MockScenario,
  type TestEnvironment,
  type ParsedJson,
} from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

/**
 * The cross-provider conformance suite (issue 4): one table of cases run through the running router with the
 * `openai` client against every provider's mock. Each case is run streamed and not streamed; both forms must
 * reduce to the same OpenAI-shaped result, which must be the same for every provider (the expectations below
 * name no provider), with equal usage totals.
 */
const anthropic = new AnthropicMockServer();
const gemini = new GeminiMockServer();
const bedrock = new BedrockMockServer();
const images = new TestImageServer();
let openai: MockOpenAIServer;
let azure: MockOpenAIServer;

/** One reply/fault vocabulary over every mock. */
interface Driver {
  set(s: MockScenario): void;
  once(s: MockScenario): void;
  reset(): void;
  /** Upstream chat requests received (token exchanges excluded). */
  chatRequests(): number;
  /** The body of the last upstream chat request. */
  lastBody(): ParsedJson;
}
const providerMock = (m: AnthropicMockServer | GeminiMockServer | BedrockMockServer): Driver => ({
  set: (s) => m.setScenario(s),
  once: (s) => m.enqueue(s),
  reset: () => m.reset(),
  chatRequests: () => m.requests.filter((r) => r.path !== '/token').length,
  lastBody: () => m.requests.filter((r) => r.path !== '/token').at(-1)?.body,
});
const openAIMock = (m: () => MockOpenAIServer): Driver => ({
  set: (s) => m().setScenario(s),
  once: (s) => m().enqueueScenario(s),
  reset: () => m().reset(),
  chatRequests: () => m().requests.length,
  lastBody: () => m().requests.at(-1)?.body,
});

interface Row {
  name: string;
  provider: string;
  model: string;
  /** Extra models run through the tool round trip (Gemini 3: thought signatures). */
  toolModels?: string[];
  mock: Driver;
  credentials: () => Record<string, unknown>;
  baseUrl: () => string;
  /** The provider's "overloaded / unavailable" error type inside a 200 stream (undefined: the mock's default). */
  streamError?: string;
  reasoning: {
    /** The model the reasoning cases use (default: `model`; OpenAI: an o-series model). */
    model?: string;
    /** Whether the provider returns its thinking text (surfaced as `reasoning_content`); OpenAI returns only a count. */
    content: boolean;
    /** Whether the provider reports thinking tokens apart from output tokens (Claude APIs count them in output only). */
    tokens: boolean;
    /** What `reasoning_effort: low` became in the upstream body. */
    sent: (body: ParsedJson) => unknown;
    expected: unknown;
    /** A model of this provider without reasoning support: `reasoning_effort` is a 400 unless dropped. */
    unsupportedModel?: string;
  };
  /** Whether the provider reports prompt-cache writes (kept as `cache_creation_input_tokens`). */
  cacheWrites: boolean;
  /** Claude-capable upstreams: the texts the upstream body marks for prompt caching, system and messages (undefined: implicit caching). */
  cacheMarks?: (body: ParsedJson) => { system: string[]; messages: string[] };
  /** Claude-capable upstreams: thinking comes back signed (`thinking_blocks`) and must be sent back before a tool_use. */
  signedThinking?: boolean;
}

/** Messages API: blocks with `cache_control`. */
const anthropicCacheMarks = (b: ParsedJson) => {
  const marked = (blocks: ParsedJson) => (Array.isArray(blocks) ? blocks.filter((x) => x.cache_control?.type === 'ephemeral').map((x) => x.text as string) : []);
  return { system: marked(b.system), messages: (b.messages as ParsedJson[]).flatMap((m) => marked(m.content)) };
};
/** Converse: the text blocks right before a `cachePoint: {type: 'default'}` block. */
const bedrockCacheMarks = (b: ParsedJson) => {
  const marked = (blocks: ParsedJson[] = []) => blocks.filter((x, i) => x.text !== undefined && blocks[i + 1]?.cachePoint?.type === 'default').map((x) => x.text as string);
  return { system: marked(b.system), messages: (b.messages as ParsedJson[]).flatMap((m) => marked(m.content)) };
};

const claudeThinking = { content: true, tokens: false, expected: { type: 'enabled', budget_tokens: 2048 } };
const geminiThinking = { content: true, tokens: true, sent: (b: ParsedJson) => b.generationConfig?.thinkingConfig, expected: { thinkingBudget: 2048, includeThoughts: true } };
const openAIReasoning = { content: false, tokens: true, sent: (b: ParsedJson) => b.reasoning_effort, expected: 'low' };

const rows: Row[] = [
  {
    name: 'openai',
    provider: 'openai',
    model: 'gpt-4o-mini',
    mock: openAIMock(() => openai),
    credentials: () => ({ api_key: 'sk-openai-conformance-key' }),
    baseUrl: () => openai.url,
    reasoning: { ...openAIReasoning, model: 'o4-mini' },
    cacheWrites: false,
  },
  {
    name: 'azure',
    provider: 'azure-openai',
    model: 'gpt-4o-mini-deployment',
    mock: openAIMock(() => azure),
    credentials: () => ({ api_key: 'azure-conformance-key', resource_name: 'conformance', api_version: '2024-10-21' }),
    baseUrl: () => azure.origin,
    reasoning: { ...openAIReasoning, model: 'o4-mini-deployment' },
    cacheWrites: false,
  },
  {
    name: 'anthropic',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    mock: providerMock(anthropic),
    credentials: () => ({ api_key: anthropic.apiKey }),
    baseUrl: () => `${anthropic.url}/v1`,
    streamError: 'overloaded_error',
    reasoning: { ...claudeThinking, sent: (b) => b.thinking },
    cacheWrites: true,
    cacheMarks: anthropicCacheMarks,
    signedThinking: true,
  },
  {
    name: 'gemini',
    provider: 'google-ai-studio',
    model: 'gemini-2.5-flash',
    toolModels: ['gemini-3-pro-preview'],
    mock: providerMock(gemini),
    credentials: () => ({ api_key: gemini.apiKey }),
    baseUrl: () => `${gemini.url}/v1beta`,
    streamError: 'UNAVAILABLE',
    reasoning: geminiThinking,
    cacheWrites: false,
  },
  {
    name: 'vertex',
    provider: 'google-vertex',
    model: 'gemini-2.5-pro',
    toolModels: ['gemini-3-pro-preview'],
    mock: providerMock(gemini),
    credentials: () => gemini.vertexCredentials(),
    baseUrl: () => `${gemini.url}/v1`,
    streamError: 'UNAVAILABLE',
    reasoning: geminiThinking,
    cacheWrites: false,
  },
  {
    name: 'vertex-claude',
    provider: 'google-vertex',
    model: 'claude-sonnet-4-5@20250929',
    mock: providerMock(gemini),
    credentials: () => gemini.vertexCredentials(),
    baseUrl: () => `${gemini.url}/v1`,
    streamError: 'overloaded_error',
    reasoning: { ...claudeThinking, sent: (b) => b.thinking },
    cacheWrites: true,
    cacheMarks: anthropicCacheMarks,
    signedThinking: true,
  },
  {
    name: 'bedrock',
    provider: 'aws-bedrock',
    model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    mock: providerMock(bedrock),
    credentials: () => ({ ...bedrock.credentials }),
    baseUrl: () => bedrock.url,
    streamError: 'serviceUnavailableException',
    reasoning: { ...claudeThinking, sent: (b) => b.additionalModelRequestFields?.thinking, unsupportedModel: 'amazon.nova-pro-v1:0' },
    cacheWrites: true,
    cacheMarks: bedrockCacheMarks,
    signedThinking: true,
  },
];

let env: TestEnvironment;
let router: NestFastifyApplication;
let url: string;

beforeAll(async () => {
  [openai, azure] = await Promise.all([MockOpenAIServer.start(), MockOpenAIServer.start(), anthropic.start(), gemini.start(), bedrock.start(), images.start()]);
  // Providers that take image URLs fetch them themselves: the mocks do too, trusting the test certificate.
  for (const m of [openai, azure, anthropic, gemini]) m.fetchImage = images.fetch;
  env = await createTestEnvironment({ ROUTER_IMAGE_CA_FILE: images.caFile, ROUTER_IMAGE_ALLOW_PRIVATE_URLS: 'true' });
  router = await startRouter(env.config, 0);
  url = await router.getUrl();
});
afterAll(async () => {
  await router?.close();
  await env?.cleanup();
  await Promise.all([openai?.close(), azure?.close(), anthropic.stop(), gemini.stop(), bedrock.stop(), images.stop()]);
});

/** What a user reads from an answer, streamed or not; tool call ids are checked for shape, not value. */
interface Result {
  content: string | null;
  /** `message.reasoning_content`, or the streamed `delta.reasoning_content` joined ('' when none). */
  reasoning: string;
  tool_calls: { name: string; arguments: unknown }[];
  finish_reason: string | null;
  usage: ResultUsage | null;
}
/** The usage totals and the details a client prices with (absent details read as 0). */
interface ResultUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
}
type WireUsage = ChatCompletion['usage'] & { cache_creation_input_tokens?: number };
/** A message or delta as the router sends it (`reasoning_content` is not in the openai types). */
type WithReasoning = { reasoning_content?: string | null; thinking_blocks?: Record<string, unknown>[] };
interface Both {
  result: Result;
  /** The assistant messages as a client would send them back (non-streamed, then reassembled from the stream). */
  messages: ChatCompletionMessageParam[];
  /** `message.thinking_blocks` ([] when none); the streamed `delta.thinking_blocks` joined are the same. */
  thinkingBlocks: Record<string, unknown>[];
}

const toolCallsOf = (calls: { id: string; function: { name: string; arguments: string } }[] | undefined) => {
  for (const c of calls ?? []) expect(c.id).toMatch(/^\S+$/);
  return (calls ?? []).map((c) => ({ name: c.function.name, arguments: JSON.parse(c.function.arguments) as unknown }));
};
const usageOf = (u: WireUsage | null | undefined): ResultUsage | null =>
  u
    ? {
        prompt_tokens: u.prompt_tokens,
        completion_tokens: u.completion_tokens,
        total_tokens: u.total_tokens,
        cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0,
        cache_write_tokens: u.cache_creation_input_tokens ?? 0,
        reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
      }
    : null;

function resultOf(c: ChatCompletion): Result {
  expect(c.object).toBe('chat.completion');
  expect(c.choices).toHaveLength(1);
  const m = c.choices[0]!.message;
  expect(m.role).toBe('assistant');
  return {
    content: m.content || (m.tool_calls?.length ? null : m.content),
    reasoning: (m as WithReasoning).reasoning_content ?? '',
    tool_calls: toolCallsOf(m.tool_calls as never),
    finish_reason: c.choices[0]!.finish_reason,
    usage: usageOf(c.usage),
  };
}

/** Runs one request non-streamed and streamed (with usage); both must reduce to the same result. */
async function both(client: OpenAI, body: ChatCompletionCreateParamsNonStreaming, options?: { headers?: Record<string, string> }): Promise<Both> {
  const plain = await client.chat.completions.create({ ...body, stream: false }, options);
  const stream = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, options);
  let content = '';
  let reasoning = '';
  const thinkingBlocks: Record<string, unknown>[] = [];
  let finish: string | null = null;
  let usage: Result['usage'] = null;
  let first = true;
  let afterUsage = false;
  const calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  for await (const chunk of stream) {
    expect(chunk.object).toBe('chat.completion.chunk');
    expect(afterUsage).toBe(false); // the usage chunk is the last one
    if (first) expect(chunk.choices[0]?.delta.role).toBe('assistant');
    first = false;
    const choice = chunk.choices[0];
    if (choice) {
      content += choice.delta.content ?? '';
      reasoning += (choice.delta as WithReasoning).reasoning_content ?? '';
      thinkingBlocks.push(...((choice.delta as WithReasoning).thinking_blocks ?? []));
      for (const t of choice.delta.tool_calls ?? []) {
        if (t.id) calls[t.index] = { id: t.id, type: 'function', function: { name: t.function?.name ?? '', arguments: '' } };
        calls[t.index]!.function.arguments += t.function?.arguments ?? '';
      }
      finish = choice.finish_reason ?? finish;
    }
    if (chunk.usage) {
      expect(chunk.choices).toEqual([]);
      usage = usageOf(chunk.usage);
      afterUsage = true;
    }
  }
  const streamed: Result = { content: content || (calls.length ? null : content), reasoning, tool_calls: toolCallsOf(calls), finish_reason: finish, usage };
  const result = resultOf(plain);
  expect(streamed).toEqual(result);
  const plainMessage = plain.choices[0]!.message;
  const plainThinking = (plainMessage as WithReasoning).thinking_blocks;
  expect(thinkingBlocks).toEqual(plainThinking ?? []);
  // A client sends thinking_blocks back as it received them (an extra field the openai types do not name).
  return {
    result,
    messages: [
      { role: 'assistant', content: plainMessage.content, ...(plainMessage.tool_calls ? { tool_calls: plainMessage.tool_calls } : {}), ...(plainThinking ? { thinking_blocks: plainThinking } : {}) } as ChatCompletionMessageParam,
      { role: 'assistant', content: content || null, ...(calls.length ? { tool_calls: calls } : {}), ...(thinkingBlocks.length ? { thinking_blocks: thinkingBlocks } : {}) } as ChatCompletionMessageParam,
    ],
    thinkingBlocks: plainThinking ?? [],
  };
}

const USAGE: ResultUsage = { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 };
const text = (content: string, finish = 'stop'): Result => ({ content, reasoning: '', tool_calls: [], finish_reason: finish, usage: USAGE });
const WEATHER: ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

/** Reads an SSE answer raw (to see exactly what ends the stream). */
async function rawStream(key: string, body: Record<string, unknown>): Promise<{ status: number; events: string[] }> {
  const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
  const raw = await res.text();
  return { status: res.status, events: raw.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6)) };
}

describe.each(rows)('conformance: $name', (p) => {
  let client: OpenAI;
  let key: string;
  const model = (m = p.model) => `${p.provider}/${m}`;
  beforeAll(async () => {
    const tenant = await seedTenant(url, env.config.admin.token, { provider: p.provider, slug: `${p.name}-conn`, credentials: p.credentials(), base_url: p.baseUrl() });
    key = tenant.projectKey;
    client = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 });
  });
  beforeEach(() => {
    p.mock.reset();
    p.mock.set({});
  });

  it('plain text with a system prompt', async () => {
    const { result } = await both(client, { model: model(), messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] });
    expect(result).toEqual(text('Hello! How can I help?'));
  });

  it('multi-turn', async () => {
    p.mock.set({ reply: { kind: 'text', text: 'Your name is Ada.' } });
    const messages: ChatCompletionMessageParam[] = [
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ];
    expect((await both(client, { model: model(), messages })).result).toEqual(text('Your name is Ada.'));
  });

  it('image input as a data URL', async () => {
    p.mock.set({ reply: { kind: 'describe_images' } });
    const messages: ChatCompletionMessageParam[] = [
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${TEST_PNG.toString('base64')}` } }] },
    ];
    expect((await both(client, { model: model(), messages })).result).toEqual(text(describeImages([{ mime: 'image/png', data: TEST_PNG }])));
  });

  it('image input as an https URL', async () => {
    p.mock.set({ reply: { kind: 'describe_images' } });
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: `${images.url}/image.gif` } }] }];
    expect((await both(client, { model: model(), messages })).result).toEqual(text(describeImages([{ mime: 'image/gif', data: TEST_GIF }])));
  });

  it('a single tool call', async () => {
    p.mock.set({ reply: { kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] } });
    const { result } = await both(client, { model: model(), messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER] });
    expect(result).toEqual({ content: null, reasoning: '', tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_calls', usage: USAGE });
  });

  it('parallel tool calls', async () => {
    p.mock.set({ reply: { kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }, { name: 'get_weather', arguments: '{"city":"Rome"}' }] } });
    const { result } = await both(client, { model: model(), messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }], tools: [WEATHER] });
    expect(result.tool_calls).toEqual([
      { name: 'get_weather', arguments: { city: 'Paris' } },
      { name: 'get_weather', arguments: { city: 'Rome' } },
    ]);
    expect(result.finish_reason).toBe('tool_calls');
  });

  it.each([p.model, ...(p.toolModels ?? [])])('tool result round trip (%s)', async (m) => {
    p.mock.set({ reply: { kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }, { name: 'get_weather', arguments: '{"city":"Rome"}' }] } });
    const user: ChatCompletionMessageParam = { role: 'user', content: 'Weather in Paris and Rome?' };
    const first = await both(client, { model: model(m), messages: [user], tools: [WEATHER] });
    // Send each form of the answer back (ids exactly as the client received them) with the tool results.
    p.mock.set({ reply: { kind: 'text', text: 'Paris 21°C, Rome 25°C.' } });
    for (const assistant of first.messages) {
      const calls = (assistant as { tool_calls: { id: string }[] }).tool_calls;
      const messages: ChatCompletionMessageParam[] = [
        user,
        assistant,
        { role: 'tool', tool_call_id: calls[0]!.id, content: '{"temp_c":21}' },
        { role: 'tool', tool_call_id: calls[1]!.id, content: '{"temp_c":25}' },
      ];
      expect((await both(client, { model: model(m), messages, tools: [WEATHER] })).result).toEqual(text('Paris 21°C, Rome 25°C.'));
    }
  });

  it('JSON schema output', async () => {
    p.mock.set({ reply: { kind: 'json', value: { city: 'Paris', temp_c: 21 } } });
    const { result } = await both(client, {
      model: model(),
      messages: [{ role: 'user', content: 'Weather in Paris as JSON' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'weather', schema: { type: 'object', properties: { city: { type: 'string' }, temp_c: { type: 'number' } }, required: ['city', 'temp_c'] } },
      },
    });
    expect({ ...result, content: JSON.parse(result.content!) as unknown }).toEqual({ ...text(''), content: { city: 'Paris', temp_c: 21 } });
  });

  it('stop sequences', async () => {
    p.mock.set({ reply: { kind: 'text', text: 'one, two, three. END four' } });
    const { result } = await both(client, { model: model(), messages: [{ role: 'user', content: 'Count' }], stop: ['END'] });
    expect(result).toEqual(text('one, two, three. '));
  });

  it('max tokens hit is finish_reason length', async () => {
    p.mock.set({ reply: { kind: 'length' } });
    const { result } = await both(client, { model: model(), messages: [{ role: 'user', content: 'Long' }], max_tokens: 5 });
    expect(result).toEqual(text('This answer was cut', 'length'));
  });

  describe('reasoning', () => {
    const THOUGHT = 'The user greets me; a short answer will do.';
    const THINK: MockScenario = { reply: { kind: 'reasoning', reasoning: THOUGHT, text: 'Hello!' }, usage: { input: 21, output: 9, reasoning: 6 } };
    const hi: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];
    /** Thinking tokens are in completion_tokens everywhere; reasoning_tokens names them where the provider counts them apart. */
    const thinkingUsage = () => ({ ...USAGE, reasoning_tokens: p.reasoning.tokens ? 6 : 0 });

    it('reasoning_effort surfaces thinking as reasoning_content, with reasoning_tokens', async () => {
      p.mock.set(THINK);
      const { result } = await both(client, { model: model(p.reasoning.model), messages: hi, reasoning_effort: 'low' });
      expect(p.reasoning.sent(p.mock.lastBody())).toEqual(p.reasoning.expected);
      expect(result).toEqual({ ...text('Hello!'), reasoning: p.reasoning.content ? THOUGHT : '', usage: thinkingUsage() });
    });

    it('without reasoning_effort no thinking is asked for and no reasoning_content is returned', async () => {
      p.mock.set(THINK);
      const { result } = await both(client, { model: model(p.reasoning.model), messages: hi });
      expect(p.reasoning.sent(p.mock.lastBody())).toBeUndefined();
      expect(result).toEqual({ ...text('Hello!'), usage: thinkingUsage() });
    });

    if (p.signedThinking) it('reasoning + tool call round trip: signed and redacted thinking go back unchanged before the tool call, streamed and not', async () => {
      p.mock.set({ ...THINK, reply: { kind: 'tool_calls', reasoning: THOUGHT, redacted: true, calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] } });
      const user: ChatCompletionMessageParam = { role: 'user', content: 'Weather in Paris?' };
      const first = await both(client, { model: model(p.reasoning.model), messages: [user], tools: [WEATHER], reasoning_effort: 'low' });
      expect(first.result).toMatchObject({ reasoning: THOUGHT, tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_calls' });
      expect(first.thinkingBlocks).toEqual([
        { type: 'thinking', thinking: THOUGHT, signature: expect.stringMatching(/^\S+$/) },
        { type: 'redacted_thinking', data: expect.stringMatching(/^\S+$/) },
      ]);
      p.mock.set({ reply: { kind: 'text', text: 'Paris 21°C.' } });
      for (const assistant of first.messages) {
        const id = (assistant as { tool_calls: { id: string }[] }).tool_calls[0]!.id;
        const messages: ChatCompletionMessageParam[] = [user, assistant, { role: 'tool', tool_call_id: id, content: '{"temp_c":21}' }];
        expect((await both(client, { model: model(p.reasoning.model), messages, tools: [WEATHER], reasoning_effort: 'low' })).result).toEqual(text('Paris 21°C.'));
        // Without the thinking blocks the Claude APIs refuse the turn (the mocks enforce it as they do).
        const { thinking_blocks: _dropped, ...bare } = assistant as ChatCompletionMessageParam & { thinking_blocks?: unknown };
        await expect(client.chat.completions.create({ model: model(p.reasoning.model), messages: [user, bare, messages[2]!], tools: [WEATHER], reasoning_effort: 'low' })).rejects.toMatchObject({
          status: 400,
          message: expect.stringContaining('must start with a thinking block'),
        });
      }
    });

    const unsupported = p.reasoning.unsupportedModel;
    if (unsupported) it('reasoning_effort on a model without reasoning is a 400 naming it, unless x-gateway-drop-unsupported', async () => {
      p.mock.set(THINK);
      const body = { model: model(unsupported), messages: hi, reasoning_effort: 'low' as const };
      await expect(client.chat.completions.create(body)).rejects.toMatchObject({ status: 400, param: 'reasoning_effort' });
      await expect(client.chat.completions.create({ ...body, stream: true })).rejects.toMatchObject({ status: 400, param: 'reasoning_effort' });
      expect(p.mock.chatRequests()).toBe(0);
      const { result } = await both(client, body, { headers: { 'x-gateway-drop-unsupported': 'true' } });
      expect(p.reasoning.sent(p.mock.lastBody())).toBeUndefined();
      expect(result).toEqual({ ...text('Hello!'), usage: thinkingUsage() });
    });
  });

  describe('prompt caching', () => {
    // prompt_tokens counts every input token; cached_tokens the cache reads; cache writes are kept (for cost)
    // where the provider reports them (OpenAI and Gemini cache implicitly and report reads only).
    it.each([
      ['a cache write', { cacheWrite: 900 }],
      ['a cache read', { cacheRead: 900 }],
      ['a cache read and a write', { cacheRead: 800, cacheWrite: 100 }],
    ] as [string, { cacheRead?: number; cacheWrite?: number }][])('prompt-cache usage: %s', async (_label, cache) => {
      p.mock.set({ usage: { input: 1000, output: 50, ...cache } });
      const system = `You are a weather assistant. ${'Answer in one sentence. '.repeat(60)}`;
      const { result } = await both(client, { model: model(), messages: [{ role: 'system', content: system }, { role: 'user', content: 'Hi' }] });
      expect(result).toEqual({
        ...text('Hello! How can I help?'),
        usage: { prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050, cached_tokens: cache.cacheRead ?? 0, cache_write_tokens: p.cacheWrites ? (cache.cacheWrite ?? 0) : 0, reasoning_tokens: 0 },
      });
    });

    const marks = p.cacheMarks;
    if (marks) it('cache_control markers on system and user content parts reach the upstream (cache_control / cachePoint)', async () => {
      p.mock.set({ usage: { input: 1000, output: 50, cacheWrite: 900 } });
      const system = `You are a weather assistant. ${'Answer in one sentence. '.repeat(60)}`;
      const ephemeral = { cache_control: { type: 'ephemeral' } };
      const messages = [
        { role: 'system', content: [{ type: 'text', text: system, ...ephemeral }, { type: 'text', text: 'Today is Monday.' }] },
        { role: 'user', content: [{ type: 'text', text: 'A long report.', ...ephemeral }, { type: 'text', text: 'Summarise it.' }] },
      ] as unknown as ChatCompletionMessageParam[];
      const { result } = await both(client, { model: model(), messages });
      // The upstream body (the mock also validated the marker shape on both requests).
      expect(marks(p.mock.lastBody())).toEqual({ system: [system], messages: ['A long report.'] });
      expect(result.usage).toMatchObject({ prompt_tokens: 1000, cache_write_tokens: 900 });
    });
  });

  describe.each([false, true])('upstream errors (stream: %s)', (stream) => {
    it.each([
      [400, 400, 'invalid_request'],
      [401, 502, 'provider_auth_error'],
      [403, 502, 'provider_auth_error'],
      [404, 404, 'model_not_found'],
      [429, 429, 'rate_limit_exceeded'],
      [500, 503, 'provider_unavailable'],
      [529, 503, 'provider_unavailable'],
    ])('upstream %s maps to %s %s', async (upstream, status, code) => {
      p.mock.set({ faults: { status: upstream, retryAfter: upstream === 429 ? 0 : undefined } });
      const call = stream
        ? client.chat.completions.create({ model: model(), messages: [{ role: 'user', content: 'Hi' }], stream: true })
        : client.chat.completions.create({ model: model(), messages: [{ role: 'user', content: 'Hi' }] });
      await expect(call).rejects.toMatchObject({ status, code });
    });
  });

  it('a provider error in a 200 stream before the first content is retried invisibly', async () => {
    p.mock.once({ faults: { errorInStream: { type: p.streamError, message: 'Overloaded' }, beforeFirstContent: true } });
    const { status, events } = await rawStream(key, { model: model(), messages: [{ role: 'user', content: 'Hi' }] });
    expect(status).toBe(200);
    expect(events.at(-1)).toBe('[DONE]');
    const content = events.slice(0, -1).map((e) => (JSON.parse(e) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('Hello! How can I help?');
    expect(events.some((e) => e.includes('"error"'))).toBe(false);
    expect(p.mock.chatRequests()).toBe(2);
  });

  it('a provider error in a 200 stream after the first content ends it with an error event and no [DONE]', async () => {
    // Paced, so that the content reaches the client before the error (one read holding both would fail over): 150 ms,
    // because at 30 ms a router starved of CPU on a loaded machine once read both at once and failed over.
    p.mock.set({ faults: { errorInStream: { type: p.streamError, message: 'Overloaded' }, delayBetweenChunksMs: 150 } });
    const { status, events } = await rawStream(key, { model: model(), messages: [{ role: 'user', content: 'Hi' }] });
    expect(status).toBe(200);
    expect(events).not.toContain('[DONE]');
    const last = JSON.parse(events.at(-1)!) as { error?: { code?: string; type?: string } };
    expect(last.error).toMatchObject({ type: 'api_error', code: 'provider_unavailable' });
    const content = events.slice(0, -1).map((e) => (JSON.parse(e) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '').join('');
    expect(content.length).toBeGreaterThan(0);
    expect('Hello! How can I help?'.startsWith(content)).toBe(true);
    expect(p.mock.chatRequests()).toBe(1);
  });
});

/**
 * The Responses API column (issue 15): the same cases through `POST /v1/responses` (translated through the chat
 * pipeline on every provider row), each non-streamed and streamed (`responses.stream().finalResponse()`), both
 * reduced to the chat cases' Result and expected to equal it, usage included.
 */
function responseResult(r: Response): Result {
  expect(r.object).toBe('response');
  const calls = r.output.flatMap((o) => (o.type === 'function_call' ? [o] : []));
  for (const c of calls) expect(c.call_id).toMatch(/^\S+$/);
  const reasoning = r.output.flatMap((o) => (o.type === 'reasoning' ? (o.content ?? []).map((c) => c.text) : [])).join('');
  const message = r.output.find((o) => o.type === 'message');
  const content = message ? message.content.map((c) => (c.type === 'output_text' ? c.text : '')).join('') : null;
  const u = r.usage;
  return {
    content: content || (calls.length ? null : (content ?? '')),
    reasoning,
    tool_calls: calls.map((c) => ({ name: c.name, arguments: JSON.parse(c.arguments) as unknown })),
    finish_reason: r.status === 'incomplete' ? 'length' : calls.length ? 'tool_calls' : 'stop',
    usage: u
      ? {
          prompt_tokens: u.input_tokens,
          completion_tokens: u.output_tokens,
          total_tokens: u.total_tokens,
          cached_tokens: u.input_tokens_details.cached_tokens,
          cache_write_tokens: u.input_tokens_details.cache_write_tokens,
          reasoning_tokens: u.output_tokens_details.reasoning_tokens,
        }
      : null,
  };
}

/** Runs one Responses request non-streamed and streamed; both must reduce to the same result. */
async function bothResponses(client: OpenAI, body: Omit<ResponseCreateParamsNonStreaming, 'stream'>): Promise<{ result: Result; plain: Response; streamed: Response }> {
  const plain = await client.responses.create({ ...body, stream: false });
  const streamed = await client.responses.stream(body).finalResponse();
  const result = responseResult(plain);
  expect(responseResult(streamed)).toEqual(result);
  return { result, plain, streamed };
}

const WEATHER_FN: FunctionTool = { type: 'function', name: 'get_weather', description: 'Current weather', parameters: WEATHER.function.parameters ?? null, strict: false };

describe.each(rows)('conformance (Responses API): $name', (p) => {
  let client: OpenAI;
  let key: string;
  const model = (m = p.model) => `${p.provider}/${m}`;
  beforeAll(async () => {
    const tenant = await seedTenant(url, env.config.admin.token, { provider: p.provider, slug: `${p.name}-responses`, credentials: p.credentials(), base_url: p.baseUrl() });
    key = tenant.projectKey;
    // The translation on every row: OpenAI and Azure would otherwise be sent the body as is (passthrough.e2e-spec.ts).
    client = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0, defaultHeaders: { 'x-gateway-translate': 'true' } });
  });
  beforeEach(() => {
    p.mock.reset();
    p.mock.set({});
  });

  it('plain text with instructions', async () => {
    expect((await bothResponses(client, { model: model(), instructions: 'Be brief.', input: 'Hi' })).result).toEqual(text('Hello! How can I help?'));
  });

  it('multi-turn as input items', async () => {
    p.mock.set({ reply: { kind: 'text', text: 'Your name is Ada.' } });
    const input: ResponseInputItem[] = [
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ];
    expect((await bothResponses(client, { model: model(), input })).result).toEqual(text('Your name is Ada.'));
  });

  it('image input as a data URL', async () => {
    p.mock.set({ reply: { kind: 'describe_images' } });
    const input: ResponseInputItem[] = [
      { role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', detail: 'auto', image_url: `data:image/png;base64,${TEST_PNG.toString('base64')}` }] },
    ];
    expect((await bothResponses(client, { model: model(), input })).result).toEqual(text(describeImages([{ mime: 'image/png', data: TEST_PNG }])));
  });

  it('parallel tool calls', async () => {
    p.mock.set({ reply: { kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }, { name: 'get_weather', arguments: '{"city":"Rome"}' }] } });
    const { result } = await bothResponses(client, { model: model(), input: 'Weather in Paris and Rome?', tools: [WEATHER_FN] });
    expect(result).toEqual({
      content: null,
      reasoning: '',
      tool_calls: [
        { name: 'get_weather', arguments: { city: 'Paris' } },
        { name: 'get_weather', arguments: { city: 'Rome' } },
      ],
      finish_reason: 'tool_calls',
      usage: USAGE,
    });
  });

  it.each([p.model, ...(p.toolModels ?? [])])('tool result round trip, by previous_response_id and by items (%s)', async (m) => {
    p.mock.set({ reply: { kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }, { name: 'get_weather', arguments: '{"city":"Rome"}' }] } });
    const first = await bothResponses(client, { model: model(m), input: 'Weather in Paris and Rome?', tools: [WEATHER_FN] });
    p.mock.set({ reply: { kind: 'text', text: 'Paris 21°C, Rome 25°C.' } });
    for (const answer of [first.plain, first.streamed]) {
      const calls = answer.output.flatMap((o) => (o.type === 'function_call' ? [o] : []));
      const outputs: ResponseInputItem[] = calls.map((c, i) => ({ type: 'function_call_output', call_id: c.call_id, output: i === 0 ? '{"temp_c":21}' : '{"temp_c":25}' }));
      const stored = await bothResponses(client, { model: model(m), previous_response_id: answer.id, input: outputs, tools: [WEATHER_FN] });
      expect(stored.result).toEqual(text('Paris 21°C, Rome 25°C.'));
      const byItems = await bothResponses(client, {
        model: model(m),
        input: [{ role: 'user', content: 'Weather in Paris and Rome?' }, ...(answer.output as ResponseInputItem[]), ...outputs],
        tools: [WEATHER_FN],
        store: false,
      });
      expect(byItems.result).toEqual(text('Paris 21°C, Rome 25°C.'));
    }
  });

  it('JSON schema output (text.format)', async () => {
    p.mock.set({ reply: { kind: 'json', value: { city: 'Paris', temp_c: 21 } } });
    const { result } = await bothResponses(client, {
      model: model(),
      input: 'Weather in Paris as JSON',
      text: { format: { type: 'json_schema', name: 'weather', schema: { type: 'object', properties: { city: { type: 'string' }, temp_c: { type: 'number' } }, required: ['city', 'temp_c'] } } },
    });
    expect({ ...result, content: JSON.parse(result.content!) as unknown }).toEqual({ ...text(''), content: { city: 'Paris', temp_c: 21 } });
  });

  it('max_output_tokens hit is an incomplete response', async () => {
    p.mock.set({ reply: { kind: 'length' } });
    const { result, plain } = await bothResponses(client, { model: model(), input: 'Long', max_output_tokens: 16 });
    expect(result).toEqual(text('This answer was cut', 'length'));
    expect(plain.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('reasoning.effort surfaces thinking as a reasoning item, with reasoning_tokens', async () => {
    const THOUGHT = 'The user greets me; a short answer will do.';
    p.mock.set({ reply: { kind: 'reasoning', reasoning: THOUGHT, text: 'Hello!' }, usage: { input: 21, output: 9, reasoning: 6 } });
    const { result } = await bothResponses(client, { model: model(p.reasoning.model), input: 'Hi', reasoning: { effort: 'low' } });
    expect(p.reasoning.sent(p.mock.lastBody())).toEqual(p.reasoning.expected);
    expect(result).toEqual({ ...text('Hello!'), reasoning: p.reasoning.content ? THOUGHT : '', usage: { ...USAGE, reasoning_tokens: p.reasoning.tokens ? 6 : 0 } });
  });

  if (p.signedThinking) it('reasoning + tool call round trip: signed thinking travels in encrypted_content, by previous_response_id and by items', async () => {
    const THOUGHT = 'The user wants the weather; I will call the tool.';
    p.mock.set({ reply: { kind: 'tool_calls', reasoning: THOUGHT, redacted: true, calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] } });
    const body = { model: model(p.reasoning.model), tools: [WEATHER_FN], reasoning: { effort: 'low' as const } };
    const first = await bothResponses(client, { ...body, input: 'Weather in Paris?' });
    expect(first.result).toMatchObject({ reasoning: THOUGHT, tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }], finish_reason: 'tool_calls' });
    p.mock.set({ reply: { kind: 'text', text: 'Paris 21°C.' } });
    for (const answer of [first.plain, first.streamed]) {
      const call = answer.output.find((o) => o.type === 'function_call')!;
      const output: ResponseInputItem = { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":21}' };
      // The Claude mocks refuse a tool_result turn whose assistant message does not start with the signed thinking.
      expect((await bothResponses(client, { ...body, previous_response_id: answer.id, input: [output] })).result).toEqual(text('Paris 21°C.'));
      const items: ResponseInputItem[] = [{ role: 'user', content: 'Weather in Paris?' }, ...(answer.output as ResponseInputItem[]), output];
      expect((await bothResponses(client, { ...body, input: items, store: false })).result).toEqual(text('Paris 21°C.'));
    }
  });

  describe.each([false, true])('upstream errors (stream: %s)', (stream) => {
    it.each([
      [400, 400, 'invalid_request'],
      [401, 502, 'provider_auth_error'],
      [429, 429, 'rate_limit_exceeded'],
      [500, 503, 'provider_unavailable'],
    ])('upstream %s maps to %s %s', async (upstream, status, code) => {
      p.mock.set({ faults: { status: upstream, retryAfter: upstream === 429 ? 0 : undefined } });
      const call = stream ? client.responses.create({ model: model(), input: 'Hi', stream: true }) : client.responses.create({ model: model(), input: 'Hi' });
      await expect(call).rejects.toMatchObject({ status, code });
    });
  });

  it('a provider error in a 200 stream after the first content ends it with an error event and response.failed', async () => {
    p.mock.set({ faults: { errorInStream: { type: p.streamError, message: 'Overloaded' }, delayBetweenChunksMs: 30 } });
    const res = await fetch(`${url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-gateway-translate': 'true' },
      body: JSON.stringify({ model: model(), input: 'Hi', stream: true }),
    });
    expect(res.status).toBe(200);
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((e) => JSON.parse(e.split('\n')[1]!.slice('data: '.length)) as { type: string; code?: string; delta?: string; response?: { status: string } });
    expect(events.slice(-2).map((e) => e.type)).toEqual(['error', 'response.failed']);
    expect(events.at(-2)).toMatchObject({ code: 'provider_unavailable' });
    expect(events.at(-1)!.response!.status).toBe('failed');
    const content = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta!] : [])).join('');
    expect(content.length).toBeGreaterThan(0);
    expect('Hello! How can I help?'.startsWith(content)).toBe(true);
    expect(p.mock.chatRequests()).toBe(1);
  });
});
