import { request as undiciRequest } from 'undici';
import {
  createAnthropicAdapter,
  createBedrockAdapter,
  createGeminiAdapter,
  createVertexAdapter,
  VertexTokenSource,
  ProviderStreamError,
  type AdapterContext,
  type ImageFetcher,
  type ProviderAdapter,
  type ProviderErrorInfo,
} from './index';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '@switchyard/types';
import { AnthropicMockServer, BedrockMockServer, GeminiMockServer, type MockProviderServer, type MockScenario } from '@switchyard/testing';

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

interface Setup {
  name: string;
  adapter: ProviderAdapter;
  mock: MockProviderServer;
  model: string;
  credentials: () => AdapterContext['target']['credentials'];
  baseUrl: () => string;
}

/** These cases send images as data URLs only: an http(s) image URL is a test error. */
const fetchImage: ImageFetcher = (url) => Promise.reject(new Error(`unexpected image fetch: ${url}`));

const anthropic = new AnthropicMockServer();
const gemini = new GeminiMockServer();
const bedrock = new BedrockMockServer();
const tokenSource = new VertexTokenSource();

const setups: Setup[] = [
  // Base URLs as each provider's SDK takes them (the adapter appends the API version and path).
  { name: 'anthropic', adapter: createAnthropicAdapter(), mock: anthropic, model: 'claude-sonnet-4-5', credentials: () => ({ api_key: anthropic.apiKey }), baseUrl: () => anthropic.url },
  { name: 'gemini', adapter: createGeminiAdapter({ fetchImage }), mock: gemini, model: 'gemini-2.5-flash', credentials: () => ({ api_key: gemini.apiKey }), baseUrl: () => gemini.url },
  { name: 'vertex-gemini', adapter: createVertexAdapter({ fetchImage, tokenSource }), mock: gemini, model: 'gemini-2.5-pro', credentials: () => gemini.vertexCredentials(), baseUrl: () => gemini.url },
  { name: 'vertex-claude', adapter: createVertexAdapter({ fetchImage, tokenSource }), mock: gemini, model: 'claude-sonnet-4-5@20250929', credentials: () => gemini.vertexCredentials(), baseUrl: () => gemini.url },
  { name: 'bedrock', adapter: createBedrockAdapter({ fetchImage }), mock: bedrock, model: 'anthropic.claude-3-5-haiku-20241022-v1:0', credentials: () => ({ ...bedrock.credentials }), baseUrl: () => bedrock.url },
];

type Outcome =
  | { kind: 'completion'; completion: ChatCompletion }
  | { kind: 'stream'; chunks: ChatCompletionChunk[] }
  | { kind: 'http'; status: number; info: ProviderErrorInfo; retryAfter?: string }
  | { kind: 'error'; error: unknown; chunks: ChatCompletionChunk[] };

async function call(s: Setup, request: ChatRequest, stream: boolean): Promise<Outcome> {
  // Each setup pairs an adapter with its own provider's credentials.
  const target = { provider: s.adapter.id, upstreamModel: s.model, baseUrl: s.baseUrl(), credentials: s.credentials() } as AdapterContext['target'];
  const ctx: AdapterContext = { target, stream, dropUnsupported: false };
  const up = await s.adapter.buildRequest(request, ctx);
  const res = await undiciRequest(up.url, { method: 'POST', headers: up.headers, body: up.body });
  if (res.statusCode >= 300) {
    const text = await res.body.text();
    return { kind: 'http', status: res.statusCode, info: s.adapter.parseError(res.statusCode, text), retryAfter: res.headers['retry-after'] as string | undefined };
  }
  if (!stream) {
    try {
      return { kind: 'completion', completion: s.adapter.parseResponse(await res.body.json(), ctx) };
    } catch (error) {
      return { kind: 'error', error, chunks: [] };
    }
  }
  const decoder = s.adapter.createStreamDecoder(ctx);
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const bytes of res.body) chunks.push(...decoder.push(bytes as Buffer));
    chunks.push(...decoder.end());
    return { kind: 'stream', chunks };
  } catch (error) {
    return { kind: 'error', error, chunks };
  }
}

/** Folds stream chunks into the message a client would assemble. */
function assemble(chunks: ChatCompletionChunk[]) {
  let content = '';
  let reasoning = '';
  let finish: string | null = null;
  const tools: { id?: string; name?: string; arguments: string }[] = [];
  let usage: ChatCompletionChunk['usage'];
  for (const c of chunks) {
    expect(c.object).toBe('chat.completion.chunk');
    if (c.usage) usage = c.usage;
    for (const ch of c.choices) {
      content += ch.delta.content ?? '';
      reasoning += ch.delta.reasoning_content ?? '';
      if (ch.finish_reason) finish = ch.finish_reason;
      for (const t of ch.delta.tool_calls ?? []) {
        tools[t.index] ??= { arguments: '' };
        if (t.id) tools[t.index]!.id = t.id;
        if (t.function?.name) tools[t.index]!.name = t.function.name;
        tools[t.index]!.arguments += t.function?.arguments ?? '';
      }
    }
  }
  return { content, reasoning, finish, tools, usage };
}

const WEATHER = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
};
const user = (text: string): ChatRequest => ({ model: 'x', messages: [{ role: 'user', content: text }] });

beforeAll(async () => {
  await Promise.all([anthropic.start(), gemini.start(), bedrock.start()]);
});
afterAll(async () => {
  await Promise.all([anthropic.stop(), gemini.stop(), bedrock.stop()]);
});
beforeEach(() => {
  for (const m of [anthropic, gemini, bedrock]) m.reset();
});

describe.each(setups)('$name adapter against its mock', (s) => {
  it.each([false, true])('plain text with a system prompt (stream=%s)', async (stream) => {
    const out = await call(s, { model: 'x', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], temperature: 0.2 }, stream);
    const usage = { prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 };
    if (stream) {
      expect(out.kind).toBe('stream');
      const chunks = (out as { chunks: ChatCompletionChunk[] }).chunks;
      expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
      const a = assemble(chunks);
      expect(a).toMatchObject({ content: 'Hello! How can I help?', finish: 'stop', usage });
      expect(chunks[chunks.length - 1]!.choices).toEqual([]);
    } else {
      expect(out.kind).toBe('completion');
      const c = (out as { completion: ChatCompletion }).completion;
      expect(c.choices[0]).toMatchObject({ message: { role: 'assistant', content: 'Hello! How can I help?' }, finish_reason: 'stop' });
      expect(c.usage).toMatchObject(usage);
    }
  });

  it.each([false, true])('parallel tool calls keep argument bytes exactly (stream=%s)', async (stream) => {
    const args = ['{"city": "Paris, France"}', '{"city":"Zürich","unit":"°C"}'];
    s.mock.enqueue({ reply: { kind: 'tool_calls', calls: args.map((a) => ({ name: 'get_weather', arguments: a })) } });
    const out = await call(s, { ...user('Weather?'), tools: [WEATHER], tool_choice: 'auto' }, stream);
    if (stream) {
      const a = assemble((out as { chunks: ChatCompletionChunk[] }).chunks);
      expect(a.finish).toBe('tool_calls');
      expect(a.tools.map((t) => t.name)).toEqual(['get_weather', 'get_weather']);
      expect(a.tools.every((t) => !!t.id)).toBe(true);
      // Gemini sends parsed args (re-serialized); the others stream the provider's exact bytes.
      const expected = s.name.includes('gemini') ? args.map((x) => JSON.stringify(JSON.parse(x))) : args;
      expect(a.tools.map((t) => t.arguments)).toEqual(expected);
    } else {
      const c = (out as { completion: ChatCompletion }).completion;
      expect(c.choices[0]!.finish_reason).toBe('tool_calls');
      expect(c.choices[0]!.message.tool_calls!.map((t) => JSON.parse(t.function.arguments))).toEqual(args.map((x) => JSON.parse(x)));
    }
  });

  it('round-trips a tool result, an image and a multi-turn conversation (the mock validates the shape)', async () => {
    const out = await call(
      s,
      {
        model: 'x',
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'What is this and the weather?' }, { type: 'image_url', image_url: { url: PNG } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
          { role: 'user', content: 'Thanks' },
        ],
        tools: [WEATHER],
      },
      false,
    );
    expect(out.kind).toBe('completion');
  });

  it.each([false, true])('json_schema output (stream=%s)', async (stream) => {
    s.mock.enqueue({ reply: { kind: 'json', value: { answer: 42, tags: ['a'] } } });
    const out = await call(
      s,
      {
        ...user('Answer'),
        response_format: { type: 'json_schema', json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { answer: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['answer', 'tags'], additionalProperties: false } } },
      },
      stream,
    );
    const content = stream ? assemble((out as { chunks: ChatCompletionChunk[] }).chunks).content : (out as { completion: ChatCompletion }).completion.choices[0]!.message.content;
    const finish = stream ? assemble((out as { chunks: ChatCompletionChunk[] }).chunks).finish : (out as { completion: ChatCompletion }).completion.choices[0]!.finish_reason;
    expect(JSON.parse(content!)).toEqual({ answer: 42, tags: ['a'] });
    expect(finish).toBe('stop');
  });

  it.each([false, true])('stop sequences and max tokens (stream=%s)', async (stream) => {
    s.mock.enqueue({ reply: { kind: 'text', text: 'one two END three' } }, { reply: { kind: 'length' } });
    const a = await call(s, { ...user('Count'), stop: ['END'] }, stream);
    const b = await call(s, { ...user('Long'), max_tokens: 5 }, stream);
    const finish = (o: Outcome) => (o.kind === 'stream' ? assemble(o.chunks).finish : (o as { completion: ChatCompletion }).completion.choices[0]!.finish_reason);
    expect(finish(a)).toBe('stop');
    expect(finish(b)).toBe('length');
  });

  it('usage agrees between streamed and non-streamed forms, cache tokens included', async () => {
    const usage = { input: 1000, output: 50, cacheRead: 800, cacheWrite: s.name.includes('gemini') ? undefined : 100 };
    s.mock.enqueue({ usage }, { usage });
    const plain = (await call(s, user('Hi'), false)) as { completion: ChatCompletion };
    const streamed = assemble(((await call(s, user('Hi'), true)) as { chunks: ChatCompletionChunk[] }).chunks);
    expect(plain.completion.usage).toEqual(streamed.usage);
    expect(plain.completion.usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050, prompt_tokens_details: { cached_tokens: 800 } });
    if (usage.cacheWrite) expect(plain.completion.usage!['cache_creation_input_tokens']).toBe(100);
  });

  it.each([400, 401, 403, 404, 429, 500, 529])('upstream %s is reported with its status and message', async (status) => {
    s.mock.enqueue({ faults: { status, message: `scripted ${status}`, retryAfter: status === 429 ? 7 : undefined } });
    const out = await call(s, user('Hi'), false);
    expect(out).toMatchObject({ kind: 'http', status, info: { message: `scripted ${status}` } });
    if (status === 429) expect((out as { retryAfter?: string }).retryAfter).toBe('7');
  });

  it.each([
    ['an error event inside the 200 stream', { errorInStream: { message: 'Overloaded' } }],
    ['a malformed stream', { malformedStream: true }],
    ['a connection dropped after the first chunk', { dropAfterFirstChunk: true }],
    ['a stream that ends without its terminal event', { truncateStream: true }],
  ] as const)('%s is a ProviderStreamError, never a clean end', async (_label, faults) => {
    s.mock.enqueue({ faults: { ...faults }, reply: { kind: 'text', text: 'A fairly long answer that streams in several parts.' } } as MockScenario);
    const out = await call(s, user('Hi'), true);
    expect(out.kind).toBe('error');
    const err = (out as { error: unknown }).error;
    if (!(err instanceof ProviderStreamError)) expect(String(err)).toMatch(/terminated|socket|closed|other side/i);
  });

  it('a delay between chunks does not change the result', async () => {
    s.mock.enqueue({ faults: { delayBetweenChunksMs: 15, delayBeforeHeadersMs: 30 } });
    const out = await call(s, user('Hi'), true);
    expect(assemble((out as { chunks: ChatCompletionChunk[] }).chunks).content).toBe('Hello! How can I help?');
  });
});

describe('provider-specific behaviour over HTTP', () => {
  const byName = (n: string) => setups.find((s) => s.name === n)!;

  it('Gemini MALFORMED_FUNCTION_CALL is an error, streamed or not', async () => {
    for (const stream of [false, true]) {
      gemini.enqueue({ reply: { kind: 'finish', reason: 'MALFORMED_FUNCTION_CALL' } });
      const out = await call(byName('gemini'), { ...user('Hi'), tools: [WEATHER] }, stream);
      expect(out.kind).toBe('error');
      expect((out as { error: ProviderStreamError }).error).toBeInstanceOf(ProviderStreamError);
    }
  });

  it('Gemini SAFETY is content_filter', async () => {
    gemini.enqueue({ reply: { kind: 'finish', reason: 'SAFETY' } });
    const out = (await call(byName('gemini'), user('Hi'), false)) as { completion: ChatCompletion };
    expect(out.completion.choices[0]!.finish_reason).toBe('content_filter');
  });

  it('reasoning_effort surfaces thinking as reasoning_content', async () => {
    for (const name of ['anthropic', 'gemini', 'bedrock']) {
      const s = byName(name);
      s.mock.enqueue({ reply: { kind: 'reasoning', reasoning: 'Let me think.', text: 'Done.' } }, { reply: { kind: 'reasoning', reasoning: 'Let me think.', text: 'Done.' } });
      const plain = (await call(s, { ...user('Hi'), reasoning_effort: 'low' }, false)) as { completion: ChatCompletion };
      expect(plain.completion.choices[0]!.message).toMatchObject({ content: 'Done.', reasoning_content: 'Let me think.' });
      const streamed = assemble(((await call(s, { ...user('Hi'), reasoning_effort: 'low' }, true)) as { chunks: ChatCompletionChunk[] }).chunks);
      expect(streamed).toMatchObject({ content: 'Done.', reasoning: 'Let me think.' });
    }
  });

  it('Vertex exchanges the service-account JWT once and reuses the token', async () => {
    const fresh = new VertexTokenSource();
    const s = { ...byName('vertex-gemini'), adapter: createVertexAdapter({ fetchImage, tokenSource: fresh }) };
    const before = gemini.tokenRequests;
    await Promise.all([call(s, user('a'), false), call(s, user('b'), false), call(s, user('c'), true)]);
    expect(gemini.tokenRequests - before).toBe(1);
  });

  it('Bedrock rejects a wrong secret (the mock verifies the SigV4 signature)', async () => {
    const s = { ...byName('bedrock'), credentials: () => ({ ...bedrock.credentials, secret_access_key: 'wrongSecretAccessKey/abcdefghijklmnopqrs' }) };
    const out = await call(s, user('Hi'), false);
    expect(out).toMatchObject({ kind: 'http', status: 403 });
    expect(bedrock.lastRequest!.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAMOCKACCESSKEY01\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
  });

  it('Anthropic: a wrong key is a 401 with the provider message', async () => {
    const s = { ...byName('anthropic'), credentials: () => ({ api_key: 'nope' }) };
    expect(await call(s, user('Hi'), false)).toMatchObject({ kind: 'http', status: 401, info: { message: 'invalid x-api-key', code: 'authentication_error' } });
  });
});

describe('Vertex Claude pass-through of /v1/messages (rawPredict, streamRawPredict) against the Vertex mock', () => {
  const vertex = setups.find((s) => s.name === 'vertex-claude')!;
  const send = async (body: Record<string, unknown>) => {
    const target = { provider: vertex.adapter.id, upstreamModel: vertex.model, baseUrl: vertex.baseUrl(), credentials: vertex.credentials() } as AdapterContext['target'];
    const call = await vertex.adapter.native!.messages!({ protocol: 'messages', body: { model: 'claude-sonnet-4-5', ...body }, headers: {} }, { target, stream: false, dropUnsupported: false });
    const up = call.read === 'json' ? call.requests[0]! : call.request;
    const res = await undiciRequest(up.url, { method: 'POST', headers: up.headers, body: up.body });
    return { status: res.statusCode, text: await res.body.text(), sent: gemini.requests.at(-1)! };
  };

  it('sends the Messages body without model, with anthropic_version vertex-2023-10-16, and gets the Message (or its events) back', async () => {
    const thinking = { type: 'enabled', budget_tokens: 2048 };
    const plain = await send({ max_tokens: 4096, thinking, messages: [{ role: 'user', content: 'Hi' }] });
    expect(plain.status).toBe(200);
    expect(plain.sent.path).toMatch(/\/publishers\/anthropic\/models\/claude-sonnet-4-5%4020250929:rawPredict$/);
    expect(plain.sent.body).toEqual({ anthropic_version: 'vertex-2023-10-16', max_tokens: 4096, thinking, messages: [{ role: 'user', content: 'Hi' }] });
    expect(JSON.parse(plain.text)).toMatchObject({ type: 'message', role: 'assistant' });
    const streamed = await send({ max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
    expect(streamed.sent.path).toMatch(/:streamRawPredict$/);
    expect(streamed.text).toMatch(/^event: message_start\n/);
    expect(vertex.adapter.native!.serves!('gemini-2.5-pro')).toBe(false);
  });
});
