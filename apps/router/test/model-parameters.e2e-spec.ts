import type { MockOpenAIServer } from '@switchyard/testing';
import OpenAI from 'openai';
import { startRouterFixture, type RouterFixture } from './router-fixture';

/**
 * Parameters a reasoning model refuses, as clients that know it only by its bare id send them (Vercel AI SDK,
 * LangChain): the mock refuses them as OpenAI does, so a 200 proves the router mapped or dropped them.
 */
describe('parameters the upstream model refuses (openai/o3-mini)', () => {
  let fx: RouterFixture;
  let upstream: MockOpenAIServer, client: OpenAI;
  const DROP = { headers: { 'x-gateway-drop-unsupported': 'true' } };
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'Answer in one word.' },
    { role: 'user', content: 'Hi' },
  ];

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-params-0123456789' });
    ({ upstream, client } = fx);
  });

  afterEach(() => upstream.reset());

  afterAll(() => fx?.close());

  it('the mock refuses them as OpenAI does (sent to it directly)', async () => {
    const direct = new OpenAI({ apiKey: 'sk-direct', baseURL: upstream.url, maxRetries: 0 });
    await expect(direct.chat.completions.create({ model: 'o3-mini', messages, max_tokens: 50 })).rejects.toMatchObject({
      status: 400,
      param: 'max_tokens',
      code: 'unsupported_parameter',
      message: "400 Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
    });
    await expect(direct.chat.completions.create({ model: 'o3-mini', messages, temperature: 0.3 })).rejects.toMatchObject({ status: 400, param: 'temperature' });
  });

  it('max_tokens + temperature + system: a 400 naming temperature, nothing sent upstream', async () => {
    await expect(client.chat.completions.create({ model: 'openai/o3-mini', messages, max_tokens: 50, temperature: 0.3 })).rejects.toMatchObject({
      status: 400,
      param: 'temperature',
      code: 'unsupported_parameter',
      message: expect.stringContaining('x-gateway-drop-unsupported: true') as string,
    });
    expect(upstream.requests).toHaveLength(0);
  });

  it('temperature: 1 (the default, which OpenAI accepts) goes to gpt-5 and o3-mini as sent, no 400', async () => {
    for (const model of ['openai/gpt-5', 'openai/o3-mini']) {
      upstream.reset();
      await client.chat.completions.create({ model, messages, max_tokens: 50, temperature: 1 });
      expect(upstream.requests[0]!.body).toMatchObject({ temperature: 1, max_completion_tokens: 50 });
    }
  });

  it('with x-gateway-drop-unsupported: max_tokens mapped, temperature dropped, system sent as developer (JSON and stream)', async () => {
    const completion = await client.chat.completions.create({ model: 'openai/o3-mini', messages, max_tokens: 50, temperature: 0.3 }, DROP);
    expect(completion.choices[0]!.message.content).toBe('Hello from the mock.');
    const stream = await client.chat.completions.create({ model: 'openai/o3-mini', messages, max_tokens: 50, temperature: 0.3, stream: true }, DROP);
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from the mock.');
    expect(upstream.requests).toHaveLength(2);
    for (const { body } of upstream.requests) {
      expect(body).toMatchObject({ model: 'o3-mini', max_completion_tokens: 50, messages: [{ role: 'developer', content: 'Answer in one word.' }, { role: 'user', content: 'Hi' }] });
      expect(body).not.toHaveProperty('max_tokens');
      expect(body).not.toHaveProperty('temperature');
    }
  });

  it('what only needs mapping works without the header, for the slug and a dated id too', async () => {
    for (const model of ['o3-mini', 'openai/o3-mini-2025-01-31']) {
      const completion = await client.chat.completions.create({ model, messages, max_tokens: 20 });
      expect(completion.choices[0]!.message.content).toBe('Hello from the mock.');
      expect(upstream.requests.at(-1)!.body).toMatchObject({ max_completion_tokens: 20, messages: [{ role: 'developer' }, { role: 'user' }] });
    }
    // A model without rules gets what the client sent.
    await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, max_tokens: 20, temperature: 0.3 });
    expect(upstream.requests.at(-1)!.body).toMatchObject({ max_tokens: 20, temperature: 0.3, messages: [{ role: 'system' }, { role: 'user' }] });
  });
});
