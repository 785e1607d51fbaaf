import type { MockOpenAIServer } from '@switchyard/testing';
import OpenAI from 'openai';
import { startRouterFixture, type RouterFixture } from './router-fixture';

/** `mock_response`: answered by the pipeline without calling a provider, still authenticated, logged and metered at cost 0. */
describe('mock_response', () => {
  let fx: RouterFixture;
  let url: string, upstream: MockOpenAIServer, client: OpenAI;
  const LOGGED = { headers: { 'x-gateway-collect-log': 'true' } };
  /** The body extension, which the openai SDK's types do not know. */
  const mock = (text: string) => ({ mock_response: text }) as object;

  const recordOf = (id: string | null) => fx.recordOf(id);

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-mock-test-0123456789' });
    ({ url, upstream, client } = fx);
  });

  afterAll(() => fx?.close());

  it('JSON: the given text as a completion from the resolved target, no upstream call, a log record at cost 0', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say something' }], ...mock('This is a test answer.') }, LOGGED)
      .withResponse();
    expect(data).toMatchObject({ object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'This is a test answer.' }, finish_reason: 'stop' }] });
    expect(data.usage).toEqual({ prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 });
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-attempts')).toBe('0');
    expect(response.headers.get('x-gateway-cost')).toBe('0');
    expect(upstream.requests).toHaveLength(0);
    const record = await recordOf(response.headers.get('x-gateway-log-id'));
    expect(record).toMatchObject({ modelRequested: 'gpt-4o-mini', provider: 'openai', model: 'gpt-4o-mini', statusCode: 200, success: true, cost: 0, attempts: [], tokens: { input: 4, output: 6 } });
    expect(JSON.parse(record.bodies!.request!)).toMatchObject({ mock_response: 'This is a test answer.' });
  });

  it('stream: chunked like a real stream, usage last when asked for, no upstream call', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true }, ...mock('one two three') }, LOGGED)
      .withResponse();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(['', 'one ', 'two ', 'three', null, null]);
    expect(chunks[4]!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks[5]).toMatchObject({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 4, total_tokens: 5 } });
    expect(upstream.requests).toHaveLength(0);
    const record = await recordOf(response.headers.get('x-gateway-log-id'));
    expect(record).toMatchObject({ stream: true, provider: 'openai', cost: 0, statusCode: 200 });
    expect(JSON.parse(record.bodies!.response!)).toMatchObject({ choices: [{ message: { content: 'one two three' } }] });

    // Without include_usage the usage chunk is not sent.
    const plain = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true, ...mock('a b') });
    const seen: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of plain) seen.push(chunk);
    expect(seen.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
  });

  it('needs no connection for the model (the mock provider), still needs a valid key, and validates the field', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4', messages: [{ role: 'user', content: 'Hi' }], ...mock('ok') }).withResponse();
    expect(data.choices[0]!.message.content).toBe('ok');
    expect(data.model).toBe('anthropic/claude-sonnet-4');
    expect(response.headers.get('x-gateway-provider')).toBe('mock');

    const anonymous = new OpenAI({ apiKey: 'sy_not-a-key', baseURL: `${url}/v1`, maxRetries: 0 });
    await expect(anonymous.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], ...mock('ok') })).rejects.toMatchObject({ status: 401 });
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], ...({ mock_response: 42 } as object) })).rejects.toMatchObject({
      status: 400,
      param: 'mock_response',
    });
    expect(upstream.requests).toHaveLength(0);
  });
});
