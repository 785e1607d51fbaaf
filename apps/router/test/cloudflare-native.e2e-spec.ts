import Anthropic from '@anthropic-ai/sdk';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RequestLogRecord } from '@switchyard/metering';
import {
  AnthropicMockServer,
  BedrockMockServer,
  createTestEnvironment,
  GeminiMockServer,
  httpJson,
  MockOpenAIServer,
  seedTenant,
  type SeededTenant,
  type TestEnvironment,
} from '@switchyard/testing';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { startRouter } from '../src/bootstrap';
import { logRecordOf } from './log-records';

/**
 * Cloudflare's provider-native endpoints (`/v1/{account_id}/{gateway_id}/{provider}/{provider path}`,
 * docs/cloudflare-compat.md): the official SDKs with only their base URL changed, the provider's own bytes both ways,
 * the connection's credential injected server side (the client's provider key never reaches the provider), and each
 * call logged once with its tokens and cost.
 */
describe('Cloudflare provider-native endpoints', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let url: string;
  let redis: Redis;
  let openai: MockOpenAIServer;
  const anthropic = new AnthropicMockServer();
  const gemini = new GeminiMockServer();
  const bedrock = new BedrockMockServer();
  let tenant: SeededTenant;

  const CLIENT_KEY = 'sk-the-clients-own-provider-key';
  const gatewayAuth = () => ({ 'cf-aig-authorization': `Bearer ${tenant.projectKey}` });
  const base = (provider: string) => `${url}/v1/${tenant.organizationId}/default/${provider}`;
  const recordOf = (res: { headers: { get(name: string): string | null } }): Promise<RequestLogRecord> => logRecordOf(redis, env.config.redis.prefix, res.headers.get('cf-aig-log-id'));
  const post = (target: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...gatewayAuth(), ...headers }, body: JSON.stringify(body) });

  /** One record with the tokens the provider reported and a positive cost (every model here is priced). */
  async function expectPriced(res: { headers: { get(name: string): string | null } }, provider: string, input: number, output: number): Promise<RequestLogRecord> {
    const record = await recordOf(res);
    expect(record).toMatchObject({ provider, statusCode: 200, success: true, path: '/v1/:account(uuid)/:gateway/:provider/*', requestType: 'provider' });
    expect(record.tokens.input + record.tokens.cacheRead + record.tokens.cacheWrite).toBe(input);
    expect(record.tokens.output + record.tokens.reasoning).toBe(output);
    expect(record.cost).toBeGreaterThan(0);
    const entries = await redis.xrange(`${env.config.redis.prefix}:logs`, '-', '+');
    const copies = entries.flatMap(([, f]) => JSON.parse(f[1]!) as RequestLogRecord[]).filter((r) => r.id === record.id);
    expect(copies).toHaveLength(1);
    return record;
  }

  const connection = (body: Record<string, unknown>) =>
    httpJson(`${url}/v1/admin/connections`, { token: env.config.admin.token, body: { organization_id: tenant.organizationId, is_default: true, ...body } });

  beforeAll(async () => {
    [openai] = await Promise.all([MockOpenAIServer.start(), anthropic.start(), gemini.start(), bedrock.start()]);
    env = await createTestEnvironment();
    router = await startRouter(env.config, 0);
    url = await router.getUrl();
    redis = new Redis(env.config.redis.url);
    tenant = await seedTenant(url, env.config.admin.token, { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-server-openai' }, base_url: openai.url });
    const made = await Promise.all([
      connection({ provider: 'openai', name: 'backup', slug: 'openai-backup', credentials: { api_key: 'sk-server-backup' }, base_url: openai.url, is_default: false }),
      connection({ provider: 'anthropic', name: 'claude', slug: 'claude', credentials: { api_key: anthropic.apiKey }, base_url: anthropic.url }),
      connection({ provider: 'google-ai-studio', name: 'gemini', slug: 'gemini', credentials: { api_key: gemini.apiKey }, base_url: gemini.url }),
      connection({ provider: 'google-vertex', name: 'vertex', slug: 'vertex', credentials: gemini.vertexCredentials(), base_url: gemini.url }),
      connection({ provider: 'groq', name: 'groq', slug: 'groq', credentials: { api_key: 'gsk-server-groq' }, base_url: openai.url }),
      connection({ provider: 'azure-openai', name: 'azure', slug: 'azure', credentials: { api_key: 'az-server-key', resource_name: 'my-resource', api_version: '2024-10-21' }, base_url: openai.url }),
      connection({ provider: 'aws-bedrock', name: 'bedrock', slug: 'bedrock', credentials: { ...bedrock.credentials }, base_url: bedrock.url }),
    ]);
    for (const m of made) expect(m.status).toBe(201);
  });

  beforeEach(() => {
    openai.reset();
    anthropic.reset();
    gemini.reset();
    bedrock.reset();
  });

  afterAll(async () => {
    redis?.disconnect();
    await router?.close();
    await env?.cleanup();
    await Promise.all([openai?.close(), anthropic.stop(), gemini.stop(), bedrock.stop()]);
  });

  it('serves the openai SDK on …/openai (chat JSON and stream, embeddings) with the connection key, priced and logged once', async () => {
    const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: base('openai'), defaultHeaders: gatewayAuth(), maxRetries: 0 });
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is Cloudflare?' }] }).withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello from the mock.');
    expect(data.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 4 });
    expect(response.headers.get('cf-aig-provider')).toBe('openai');
    expect(response.headers.get('cf-aig-model')).toBe('gpt-4o-mini');
    expect(Number(response.headers.get('x-gateway-cost'))).toBeGreaterThan(0);
    // The provider path and the client's body as sent; our credential, never the client's.
    expect(openai.requests[0]!.path).toBe('/v1/chat/completions'); // the mock's base URL ends in /v1
    expect(openai.requests[0]!.body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is Cloudflare?' }] });
    expect(openai.requests[0]!.headers['authorization']).toBe('Bearer sk-server-openai');
    const record = await expectPriced(response, 'openai', 11, 4);
    expect(JSON.parse(String(record.bodies?.request))).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is Cloudflare?' }] });

    const { data: stream, response: streamed } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from the mock.');
    expect(openai.requests[1]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(openai.requests[1]!.headers['authorization']).toBe('Bearer sk-server-openai');
    await expectPriced(streamed, 'openai', 11, 4);

    const { data: embedded, response: embeddedRes } = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] }).withResponse();
    expect(embedded.data).toHaveLength(2);
    expect(openai.requests[2]!.path).toBe('/v1/embeddings');
    expect(openai.requests[2]!.headers['authorization']).toBe('Bearer sk-server-openai');
    const embeddingRecord = await recordOf(embeddedRes);
    expect(embeddingRecord.tokens.input).toBeGreaterThan(0);
    expect(embeddingRecord.cost).toBeGreaterThan(0);
  });

  it('prices an openai stream the client asked no usage of: include_usage asked upstream, the client given the bytes it would have had without it', async () => {
    const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: base('openai'), defaultHeaders: gatewayAuth(), maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true }).withResponse();
    let text = '';
    for await (const chunk of stream) {
      // No usage chunk, no `usage: null` member: what OpenAI sends a client that did not ask.
      expect(chunk.choices).toHaveLength(1);
      expect('usage' in chunk).toBe(false);
      text += chunk.choices[0]!.delta.content ?? '';
    }
    expect(text).toBe('Hello from the mock.');
    expect(openai.requests[0]!.body).toEqual({ stream_options: { include_usage: true }, model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const record = await expectPriced(response, 'openai', 11, 4);
    expect(JSON.parse(String(record.bodies?.request))).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });

    // Byte for byte the provider's own answer to the client's body.
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true };
    const direct = await fetch(`${openai.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-server-openai' }, body: JSON.stringify(body) });
    const viaGateway = await post(`${base('openai')}/chat/completions`, body);
    expect(viaGateway.headers.get('content-type')).toBe(direct.headers.get('content-type'));
    expect(await viaGateway.text()).toBe(await direct.text());
  });

  it('serves the @anthropic-ai/sdk on …/anthropic (messages create and stream) with the x-api-key of the connection', async () => {
    const client = new Anthropic({ apiKey: CLIENT_KEY, baseURL: base('anthropic'), defaultHeaders: gatewayAuth(), maxRetries: 0 });
    const { data: message, response } = await client.messages
      .create({ model: 'claude-3-5-haiku-20241022', max_tokens: 64, messages: [{ role: 'user', content: 'What is Cloudflare?' }] })
      .withResponse();
    expect(message.type).toBe('message');
    expect(message.usage).toMatchObject({ input_tokens: 21, output_tokens: 9 });
    expect(anthropic.requests[0]!.path).toBe('/v1/messages');
    expect(anthropic.requests[0]!.headers['x-api-key']).toBe(anthropic.apiKey);
    expect(JSON.stringify(anthropic.requests[0]!.headers)).not.toContain(CLIENT_KEY);
    await expectPriced(response, 'anthropic', 21, 9);

    const stream = client.messages.stream({ model: 'claude-3-5-haiku-20241022', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const final = await stream.finalMessage();
    expect(final.usage.output_tokens).toBe(9);
    expect(anthropic.requests[1]!.body).toMatchObject({ stream: true });
    const { response: streamed } = await stream.withResponse();
    await expectPriced(streamed, 'anthropic', 21, 9);
  });

  it('passes google-ai-studio generateContent and streamGenerateContent?alt=sse through, the client key in the URL dropped', async () => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'What is Cloudflare?' }] }] };
    const res = await post(`${base('google-ai-studio')}/v1beta/models/gemini-2.0-flash:generateContent?key=${CLIENT_KEY}`, body);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { candidates: unknown[]; usageMetadata: { promptTokenCount: number } };
    expect(json.candidates).toHaveLength(1);
    expect(gemini.requests[0]!.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(gemini.requests[0]!.query.get('key')).toBeNull();
    expect(gemini.requests[0]!.headers['x-goog-api-key']).toBe(gemini.apiKey);
    expect(res.headers.get('cf-aig-model')).toBe('gemini-2.0-flash');
    await expectPriced(res, 'google-ai-studio', 21, 9);

    const streamed = await post(`${base('google-ai-studio')}/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse`, body, { 'x-goog-api-key': CLIENT_KEY });
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await streamed.text();
    expect(text).toMatch(/^data: \{/);
    expect(text).toContain('"usageMetadata"');
    expect(gemini.requests[1]!.headers['x-goog-api-key']).toBe(gemini.apiKey);
    await expectPriced(streamed, 'google-ai-studio', 21, 9);
  });

  it('passes Vertex AI (the service account token), Azure OpenAI, Bedrock Converse (signed here) and an OpenAI-compatible provider through', async () => {
    const chat = { messages: [{ role: 'user', content: 'Hi' }] };
    // Groq, Cloudflare's slug: /groq/chat/completions on the connection's base URL.
    const groq = await post(`${base('groq')}/chat/completions`, { model: 'llama-3.3-70b-versatile', ...chat }, { authorization: `Bearer ${CLIENT_KEY}` });
    expect(groq.status).toBe(200);
    expect(openai.requests[0]!.headers['authorization']).toBe('Bearer gsk-server-groq');
    await expectPriced(groq, 'groq', 11, 4);

    // Azure: /azure-openai/{resource}/{deployment}/chat/completions?api-version=…
    const azure = await post(`${base('azure-openai')}/my-resource/gpt-4o-mini/chat/completions?api-version=2024-10-21`, chat, { 'api-key': CLIENT_KEY });
    expect(azure.status).toBe(200);
    expect(openai.requests[1]!.path).toBe('/v1/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21');
    expect(openai.requests[1]!.headers['api-key']).toBe('az-server-key');
    expect(openai.requests[1]!.headers['authorization']).toBeUndefined();
    await expectPriced(azure, 'azure-openai', 11, 4);

    // Bedrock: /aws-bedrock/bedrock-runtime/{region}/model/{modelId}/converse, SigV4 by the gateway (the mock verifies it).
    const model = encodeURIComponent('anthropic.claude-3-5-haiku-20241022-v1:0');
    const converse = { messages: [{ role: 'user', content: [{ text: 'Hi' }] }], inferenceConfig: { maxTokens: 64 } };
    const aws = await post(`${base('aws-bedrock')}/bedrock-runtime/us-east-1/model/${model}/converse`, converse, { authorization: 'AWS4-HMAC-SHA256 Credential=client' });
    expect(aws.status).toBe(200);
    expect(((await aws.json()) as { output: { message: { role: string } } }).output.message.role).toBe('assistant');
    expect(bedrock.requests[0]!.headers['authorization']).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${bedrock.credentials.access_key_id}/`));
    await expectPriced(aws, 'aws-bedrock', 21, 9);
    // Its streams: binary event-stream frames passed through unchanged, the usage read from them (Converse's
    // `metadata` frame; the Messages events inside InvokeModel's `chunk` frames).
    const converseStream = await post(`${base('aws-bedrock')}/bedrock-runtime/us-east-1/model/${model}/converse-stream`, converse);
    expect(converseStream.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    expect((await converseStream.arrayBuffer()).byteLength).toBeGreaterThan(0);
    await expectPriced(converseStream, 'aws-bedrock', 21, 9);
    const invoke = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };
    const invokeStream = await post(`${base('aws-bedrock')}/bedrock-runtime/us-east-1/model/${model}/invoke-with-response-stream`, invoke);
    expect(invokeStream.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    expect((await invokeStream.arrayBuffer()).byteLength).toBeGreaterThan(0);
    await expectPriced(invokeStream, 'aws-bedrock', 21, 9);

    // Vertex: /google-vertex-ai/v1/projects/{project}/locations/{region}/publishers/google/models/{model}:generateContent.
    const vertexPath = `/v1/projects/${gemini.projectId}/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent`;
    const vertex = await post(`${base('google-vertex-ai')}${vertexPath}`, { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    expect(vertex.status).toBe(200);
    expect(gemini.requests.find((r) => r.path === vertexPath)!.headers['authorization']).toMatch(/^Bearer /);
    await expectPriced(vertex, 'google-vertex', 21, 9);

    // The path may not leave the connection: another Azure resource, GCP project or region, AWS region is a 400, nothing sent.
    const sent = openai.requests.length + gemini.requests.length + bedrock.requests.length;
    const refusals = await Promise.all([
      post(`${base('azure-openai')}/other-resource/gpt-4o-mini/chat/completions?api-version=2024-10-21`, chat),
      post(`${base('google-vertex-ai')}${vertexPath.replace(gemini.projectId, 'someone-elses-project')}`, { contents: [] }),
      post(`${base('google-vertex-ai')}${vertexPath.replace('us-central1', 'europe-west4')}`, { contents: [] }),
      post(`${base('aws-bedrock')}/bedrock-runtime/eu-west-1/model/${model}/converse`, converse),
    ]);
    for (const refused of refusals) {
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: string; param: string } }).error).toMatchObject({ code: 'connection_mismatch', param: 'path' });
    }
    expect(openai.requests.length + gemini.requests.length + bedrock.requests.length).toBe(sent);
  });

  it("answers a provider's error with its own status, content type, headers and bytes (the SDKs raise their own errors); retries return the last attempt's", async () => {
    const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: base('openai'), defaultHeaders: gatewayAuth(), maxRetries: 0 });
    openai.enqueue({ status: 400, errorMessage: "Invalid value for 'temperature'." });
    const bad = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad).toMatchObject({ status: 400, type: 'mock_error', code: 'invalid_value', error: { message: "Invalid value for 'temperature'." } });
    const badHeaders = (bad as InstanceType<typeof OpenAI.BadRequestError>).headers;
    expect(badHeaders.get('content-type')).toBe('application/json');
    const record = await recordOf({ headers: badHeaders });
    expect(record).toMatchObject({ statusCode: 400, success: false, errorCode: 'invalid_request' });
    expect(openai.requests).toHaveLength(1);

    // A retryable status is retried (same connection); the client gets the last attempt's bytes and headers.
    openai.enqueue({ status: 500, errorMessage: 'first attempt' }, { status: 503, errorMessage: 'second attempt', retryAfter: '0' });
    const raw = await post(`${base('openai')}/chat/completions`, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }, { 'x-gateway-max-attempts': '2', 'x-gateway-retry-delay': '0' });
    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toBe('0');
    expect(raw.headers.get('x-gateway-attempts')).toBe('2');
    expect(await raw.text()).toBe(JSON.stringify({ error: { message: 'second attempt', type: 'mock_error', code: null, param: null } }));
    expect(await recordOf(raw)).toMatchObject({ statusCode: 503, success: false, errorCode: 'provider_unavailable' });
    expect(openai.requests).toHaveLength(3);

    const claude = new Anthropic({ apiKey: CLIENT_KEY, baseURL: base('anthropic'), defaultHeaders: gatewayAuth(), maxRetries: 0 });
    anthropic.enqueue({ faults: { status: 400, message: 'max_tokens: must be positive' } });
    const refused = await claude.messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect(refused).toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: must be positive' } } });

    // Gemini's own error shape on its path too; the gateway's own errors (here: no such alias) stay in the route's shape.
    gemini.enqueue({ faults: { status: 404, message: 'models/nope is not found' } });
    const missing = await post(`${base('google-ai-studio')}/v1beta/models/gemini-2.0-flash:generateContent`, { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: number; message: string } }).error).toMatchObject({ code: 404, message: 'models/nope is not found' });

    // Bedrock: the AWS SDK reads the error type from x-amzn-errortype, kept with the request id.
    bedrock.enqueue({ faults: { status: 400, message: 'Malformed input request' } });
    const model = encodeURIComponent('anthropic.claude-3-5-haiku-20241022-v1:0');
    const aws = await post(`${base('aws-bedrock')}/bedrock-runtime/us-east-1/model/${model}/converse`, { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
    expect(aws.status).toBe(400);
    expect(aws.headers.get('x-amzn-errortype')).toMatch(/^ValidationException:/);
    expect(aws.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f]{32}$/);
    expect(await aws.json()).toEqual({ message: 'Malformed input request' });
  });

  it('picks the connection named by cf-aig-byok-alias (a list: fallbacks in order); an unknown alias or provider slug is a 400 naming it', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };
    const res = await post(`${base('openai')}/chat/completions`, body, { 'cf-aig-byok-alias': 'openai-backup' });
    expect(res.status).toBe(200);
    expect(openai.requests[0]!.headers['authorization']).toBe('Bearer sk-server-backup');
    expect((await recordOf(res)).connectionId).not.toBeNull();

    // Ours: a list of aliases, each connection the previous one's fallback when it gives up (here: rate limited).
    openai.enqueue({ status: 429, errorMessage: 'slow down' });
    const list = { 'cf-aig-byok-alias': 'openai-main, openai-backup', 'x-gateway-max-attempts': '1' };
    const fellBack = await post(`${base('openai')}/chat/completions`, body, list);
    expect(fellBack.status).toBe(200);
    expect(fellBack.headers.get('cf-aig-step')).toBe('1');
    expect(openai.requests.slice(1).map((r) => r.headers['authorization'])).toEqual(['Bearer sk-server-openai', 'Bearer sk-server-backup']);
    const fellBackRecord = await recordOf(fellBack);
    expect(fellBackRecord.connectionId).toBe((await recordOf(res)).connectionId);
    expect(fellBackRecord.attempts?.map((a) => a.status)).toEqual([429, 200]);
    // A client error is not passed to the next connection: the provider's own 400.
    openai.enqueue({ status: 400, errorMessage: 'bad request' });
    expect((await post(`${base('openai')}/chat/completions`, body, list)).status).toBe(400);
    expect(openai.requests).toHaveLength(4);
    const tooMany = await post(`${base('openai')}/chat/completions`, body, { 'cf-aig-byok-alias': 'a,b,c,d,e,f' });
    expect(((await tooMany.json()) as { error: { code: string } }).error.code).toBe('too_many_byok_aliases');

    const unknown = await post(`${base('openai')}/chat/completions`, body, { 'cf-aig-byok-alias': 'nope' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'unknown_byok_alias', message: expect.stringContaining("'nope'") });
    const slug = await post(`${base('workers-ai')}/@cf/meta/llama-3.1-8b-instruct`, body);
    expect(slug.status).toBe(400);
    expect(((await slug.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'unknown_provider', message: expect.stringContaining("'workers-ai'") });
    expect(openai.requests).toHaveLength(4);
  });

  it('takes the gateway key from cf-aig-authorization only (a provider key is no gateway key), and errors on /anthropic in Anthropic shape', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };
    const noKey = await fetch(`${base('openai')}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` }, body: JSON.stringify(body) });
    expect(noKey.status).toBe(401);
    // An access key of ours in the provider's key header is accepted (an SDK whose apiKey is the gateway key).
    const ours = await fetch(`${base('openai')}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.projectKey}` }, body: JSON.stringify(body) });
    expect(ours.status).toBe(200);
    expect(openai.requests[0]!.headers['authorization']).toBe('Bearer sk-server-openai');
    const refused = await fetch(`${base('anthropic')}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': CLIENT_KEY }, body: '{}' });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { type: string }).type).toBe('error');
  });

  it('applies DLP to the known native bodies: REDACT rewrites the bytes sent (Bedrock signs the new ones), BLOCK is a 400 2029 or 2030 (streams buffered), an unknown body a 400 dlp_not_applicable', async () => {
    const settings = (body: Record<string, unknown>) =>
      httpJson(`${url}/v1/admin/organizations/${tenant.organizationId}/projects/default`, { method: 'PATCH', token: env.config.admin.token, body });
    const policies = [
      { id: 'hide-mail', enabled: true, action: 'REDACT', check: ['REQUEST'], profiles: ['email'] },
      { id: 'no-ssn', enabled: true, action: 'BLOCK', check: ['REQUEST', 'RESPONSE'], profiles: ['us_ssn'] },
    ];
    expect((await settings({ dlp: { enabled: true, policies } })).status).toBe(200);
    try {
      const mail = 'Write to jane.doe@example.com please.';
      const chat = await post(`${base('openai')}/chat/completions`, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: mail }] });
      expect(chat.status).toBe(200);
      expect(openai.requests[0]!.body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Write to [EMAIL] please.' }] });
      expect(JSON.parse(chat.headers.get('cf-aig-dlp')!)).toMatchObject({ action: 'REDACT', findings: [{ policy_ids: ['hide-mail'], check: 'REQUEST' }] });
      const redacted = await recordOf(chat);
      expect(redacted.dlp).toMatchObject({ action: 'REDACT' });
      expect(redacted.bodies!.request).not.toContain('jane.doe@example.com');
      expect(redacted.bodies!.request).toContain('Write to [EMAIL] please.');

      const claude = new Anthropic({ apiKey: CLIENT_KEY, baseURL: base('anthropic'), defaultHeaders: gatewayAuth(), maxRetries: 0 });
      await claude.messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 64, system: mail, messages: [{ role: 'user', content: [{ type: 'text', text: mail }] }] });
      expect(anthropic.requests[0]!.body).toMatchObject({ system: 'Write to [EMAIL] please.', messages: [{ content: [{ type: 'text', text: 'Write to [EMAIL] please.' }] }] });

      const geminiRes = await post(`${base('google-ai-studio')}/v1beta/models/gemini-2.0-flash:generateContent`, { contents: [{ role: 'user', parts: [{ text: mail }] }] });
      expect(geminiRes.status).toBe(200);
      expect(gemini.requests[0]!.body).toMatchObject({ contents: [{ parts: [{ text: 'Write to [EMAIL] please.' }] }] });

      // Bedrock: the mock checks the signature, so the gateway signed the redacted bytes.
      const model = encodeURIComponent('anthropic.claude-3-5-haiku-20241022-v1:0');
      const converse = await post(`${base('aws-bedrock')}/bedrock-runtime/us-east-1/model/${model}/converse`, { messages: [{ role: 'user', content: [{ text: mail }] }], system: [{ text: mail }] });
      expect(converse.status).toBe(200);
      expect(bedrock.requests[0]!.body).toMatchObject({ messages: [{ content: [{ text: 'Write to [EMAIL] please.' }] }], system: [{ text: 'Write to [EMAIL] please.' }] });

      // BLOCK on the request: 2029, nothing sent (here an embeddings input).
      const sent = openai.requests.length;
      const blocked = await post(`${base('openai')}/embeddings`, { model: 'text-embedding-3-small', input: ['fine', 'my SSN is 123-45-6789'] });
      expect(blocked.status).toBe(400);
      expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('2029');
      expect(openai.requests).toHaveLength(sent);
      // BLOCK on the answer: a JSON answer, and a stream (read whole before its first byte is sent).
      openai.enqueue({ content: 'Your SSN is 123-45-6789.' }, { content: ['Your SSN is 123-', '45-6789.'] });
      const answer = await post(`${base('openai')}/chat/completions`, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('2030');
      const streamed = await post(`${base('openai')}/chat/completions`, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
      expect(streamed.status).toBe(400);
      expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe('2030');
      // Bedrock's binary event streams are read too: Converse-stream's deltas, InvokeModel's wrapped Messages events.
      const ssn = { reply: { kind: 'text' as const, text: 'Your SSN is 123-45-6789.' } };
      bedrock.enqueue(ssn, ssn);
      const converseStream = await post(`${base('aws-bedrock')}/bedrock-runtime/us-east-1/model/${model}/converse-stream`, { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
      expect(converseStream.status).toBe(400);
      expect(((await converseStream.json()) as { error: { code: string } }).error.code).toBe('2030');
      const invoke = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };
      const invokeStream = await post(`${base('aws-bedrock')}/bedrock-runtime/us-east-1/model/${model}/invoke-with-response-stream`, invoke);
      expect(invokeStream.status).toBe(400);
      expect(((await invokeStream.json()) as { error: { code: string } }).error.code).toBe('2030');
      // A clean stream passes whole, its bytes unchanged.
      const clean = await post(`${base('openai')}/chat/completions`, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
      expect(clean.status).toBe(200);
      expect(await clean.text()).toContain('data: [DONE]');

      // A body DLP cannot read is refused, never sent unchecked.
      const unknown = await post(`${base('openai')}/completions`, { model: 'gpt-3.5-turbo-instruct', prompt: mail });
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'dlp_not_applicable', message: expect.stringContaining('openai /completions') });
      expect(openai.requests).toHaveLength(sent + 3);
    } finally {
      expect((await settings({ dlp: null })).status).toBe(200);
    }
  });

  it("caches a JSON answer as the project's cache says (HIT at cost 0, the upstream called once); cf-aig-skip-cache bypasses", async () => {
    const settings = (body: Record<string, unknown>) =>
      httpJson(`${url}/v1/admin/organizations/${tenant.organizationId}/projects/default`, { method: 'PATCH', token: env.config.admin.token, body });
    expect((await settings({ cache_ttl: 300 })).status).toBe(200);
    try {
      const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Cache me natively.' }] };
      const miss = await post(`${base('openai')}/chat/completions`, body);
      expect(miss.headers.get('cf-aig-cache-status')).toBe('MISS');
      const answer = await miss.text();
      let hit: Response | undefined;
      for (let i = 0; i < 50; i++) {
        hit = await post(`${base('openai')}/chat/completions`, body);
        if (hit.headers.get('cf-aig-cache-status') === 'HIT') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(hit!.headers.get('cf-aig-cache-status')).toBe('HIT');
      expect(await hit!.text()).toBe(answer);
      expect((await recordOf(hit!)).cost).toBe(0);
      const upstream = openai.requests.length;
      // Another body, another entry.
      expect((await post(`${base('openai')}/chat/completions`, { ...body, temperature: 0 })).headers.get('cf-aig-cache-status')).toBe('MISS');
      expect((await post(`${base('openai')}/chat/completions`, body, { 'cf-aig-skip-cache': 'true' })).headers.get('cf-aig-cache-status')).toBe('BYPASS');
      expect(openai.requests).toHaveLength(upstream + 2);
    } finally {
      expect((await settings({ cache_ttl: 0 })).status).toBe(200);
    }
  });

  it('caches a native stream that ended cleanly and replays its exact bytes (HIT at cost 0, logged cached); cf-aig-cache-ttl turns the cache on, cf-aig-skip-cache bypasses', async () => {
    const ttl = { 'cf-aig-cache-ttl': '60' };
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream me from the cache.' }], stream: true, stream_options: { include_usage: true } };
    // The project caches nothing: the request's TTL asks for it.
    const miss = await post(`${base('openai')}/chat/completions`, body, ttl);
    expect(miss.headers.get('cf-aig-cache-status')).toBe('MISS');
    const bytes = await miss.text();
    expect(bytes).toContain('data: [DONE]');
    await expectPriced(miss, 'openai', 11, 4);
    let hit: Response | undefined;
    for (let i = 0; i < 50; i++) {
      hit = await post(`${base('openai')}/chat/completions`, body, ttl);
      if (hit.headers.get('cf-aig-cache-status') === 'HIT') break;
      await hit.text();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(hit!.headers.get('cf-aig-cache-status')).toBe('HIT');
    expect(hit!.headers.get('content-type')).toBe(miss.headers.get('content-type'));
    expect(await hit!.text()).toBe(bytes);
    expect(await recordOf(hit!)).toMatchObject({ cached: true, cost: 0, success: true });
    const upstream = openai.requests.length;
    // The same body as JSON is another entry; without a TTL nothing is cached; skip-cache bypasses.
    expect((await post(`${base('openai')}/chat/completions`, { ...body, stream: false }, ttl)).headers.get('cf-aig-cache-status')).toBe('MISS');
    const plain = await post(`${base('openai')}/chat/completions`, body);
    expect(plain.headers.get('cf-aig-cache-status')).toBeNull();
    await plain.text();
    const skipped = await post(`${base('openai')}/chat/completions`, body, { ...ttl, 'cf-aig-skip-cache': 'true' });
    expect(skipped.headers.get('cf-aig-cache-status')).toBe('BYPASS');
    await skipped.text();
    expect(openai.requests).toHaveLength(upstream + 3);

    // A stream that fails mid-way is not stored: the next identical call goes upstream again.
    const broken = { ...body, messages: [{ role: 'user', content: 'Break me.' }] };
    openai.enqueue({ content: ['Hel', 'lo'], dropAfterChunks: 1 });
    const cut = await post(`${base('openai')}/chat/completions`, broken, ttl);
    await cut.text().catch(() => '');
    const again = await post(`${base('openai')}/chat/completions`, broken, ttl);
    expect(again.headers.get('cf-aig-cache-status')).toBe('MISS');
    await again.text();
    expect(openai.requests).toHaveLength(upstream + 5);
  });
});
