import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import OpenAI from 'openai';
import { AnthropicMockServer, BedrockMockServer, createTestEnvironment, GeminiMockServer, seedTenant, type MockProviderServer, type TestEnvironment } from '@switchyard/testing';
import { startRouter } from '../src/bootstrap';

/**
 * The cross-provider conformance suite (first slice): the same cases through the running router with the
 * `openai` client, against every translated provider's mock. OpenAI/Azure join once the OpenAI mock lands.
 */
const anthropic = new AnthropicMockServer();
const gemini = new GeminiMockServer();
const bedrock = new BedrockMockServer();

const providers: { name: string; mock: MockProviderServer; provider: string; model: string; credentials: () => Record<string, unknown>; baseUrl: () => string }[] = [
  { name: 'anthropic', mock: anthropic, provider: 'anthropic', model: 'claude-sonnet-4-5', credentials: () => ({ api_key: anthropic.apiKey }), baseUrl: () => `${anthropic.url}/v1` },
  { name: 'gemini', mock: gemini, provider: 'google-ai-studio', model: 'gemini-2.5-flash', credentials: () => ({ api_key: gemini.apiKey }), baseUrl: () => `${gemini.url}/v1beta` },
  { name: 'vertex', mock: gemini, provider: 'google-vertex', model: 'gemini-2.5-pro', credentials: () => gemini.vertexCredentials(), baseUrl: () => `${gemini.url}/v1` },
  { name: 'bedrock', mock: bedrock, provider: 'aws-bedrock', model: 'anthropic.claude-3-5-haiku-20241022-v1:0', credentials: () => ({ ...bedrock.credentials }), baseUrl: () => bedrock.url },
];

let env: TestEnvironment;
let router: NestFastifyApplication;
let url: string;

beforeAll(async () => {
  await Promise.all([anthropic.start(), gemini.start(), bedrock.start()]);
  env = await createTestEnvironment();
  router = await startRouter(env.config, 0);
  url = await router.getUrl();
});
afterAll(async () => {
  await router?.close();
  await env?.cleanup();
  await Promise.all([anthropic.stop(), gemini.stop(), bedrock.stop()]);
});

describe.each(providers)('conformance: $name', (p) => {
  let client: OpenAI;
  const model = () => `${p.provider}/${p.model}`;
  beforeAll(async () => {
    const tenant = await seedTenant(url, env.config.admin.token, { provider: p.provider, slug: `${p.name}-conn`, credentials: p.credentials(), base_url: p.baseUrl() });
    client = new OpenAI({ apiKey: tenant.projectKey, baseURL: `${url}/v1`, maxRetries: 0 });
  });
  beforeEach(() => p.mock.reset());

  it('plain text, streamed and not, with equal usage', async () => {
    const plain = await client.chat.completions.create({ model: model(), messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }] });
    expect(plain.choices[0]).toMatchObject({ message: { role: 'assistant', content: 'Hello! How can I help?' }, finish_reason: 'stop' });
    const stream = await client.chat.completions.create({ model: model(), messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    let content = '';
    let finish: string | null = null;
    let usage: unknown;
    for await (const c of stream) {
      content += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    expect({ content, finish }).toEqual({ content: 'Hello! How can I help?', finish: 'stop' });
    expect(usage).toMatchObject({ prompt_tokens: plain.usage!.prompt_tokens, completion_tokens: plain.usage!.completion_tokens, total_tokens: plain.usage!.total_tokens });
  });

  it('parallel tool calls', async () => {
    p.mock.setScenario({ reply: { kind: 'tool_calls', calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }, { name: 'get_weather', arguments: '{"city":"Rome"}' }] } });
    const res = await client.chat.completions.create({
      model: model(),
      messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
    });
    expect(res.choices[0]!.finish_reason).toBe('tool_calls');
    expect(res.choices[0]!.message.tool_calls!.map((t) => (t.type === 'function' ? JSON.parse(t.function.arguments) : null))).toEqual([{ city: 'Paris' }, { city: 'Rome' }]);
  });

  it('max tokens hit is finish_reason length', async () => {
    p.mock.setScenario({ reply: { kind: 'length' } });
    const res = await client.chat.completions.create({ model: model(), messages: [{ role: 'user', content: 'Long' }], max_tokens: 5 });
    expect(res.choices[0]!.finish_reason).toBe('length');
  });

  it.each([
    [400, 400],
    [429, 429],
    [529, 503],
  ])('upstream %s maps to %s', async (upstream, expected) => {
    p.mock.setScenario({ faults: { status: upstream, retryAfter: upstream === 429 ? 0 : undefined } });
    await expect(client.chat.completions.create({ model: model(), messages: [{ role: 'user', content: 'Hi' }] })).rejects.toMatchObject({ status: expected });
  });
});
