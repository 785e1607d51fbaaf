import { ModelCatalog, priceCatalogOf } from '@switchyard/routing';
import { BedrockMockServer, GeminiMockServer, httpJson, mockAudio, MockOpenAIServer, mockTokens, mockVector, TEST_PNG, type MockForm, type SeededTenant } from '@switchyard/testing';
import { toFile, type OpenAI } from 'openai';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startRouterFixture, type RouterFixture } from './router-fixture';

/**
 * `/v1/embeddings`, `/v1/completions`, `/v1/images/generations`, `/v1/audio/speech` and
 * `/v1/audio/transcriptions` through the router with the official `openai` SDK, against protocol mocks of
 * OpenAI, Azure OpenAI, Gemini and Bedrock: the same pipeline as chat (retries, fallbacks, cost, logs).
 */
describe('OpenAI endpoints besides chat', () => {
  let fx: RouterFixture;
  let url: string, openai: MockOpenAIServer, azure: MockOpenAIServer, tenant: SeededTenant, client: OpenAI;
  const gemini = new GeminiMockServer();
  const bedrock = new BedrockMockServer();
  const prices = priceCatalogOf(new ModelCatalog());

  const connect = (provider: string, slug: string, credentials: Record<string, unknown>, baseUrl: string) => fx.connect({ provider, slug, credentials, base_url: baseUrl, is_default: true });
  const recordOf = (id: string | null) => fx.recordOf(id);

  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-endpoints-0123456789' });
    ({ url, upstream: openai, tenant, client } = fx);
    [azure] = await Promise.all([MockOpenAIServer.start(), gemini.start(), bedrock.start()]);
    await connect('azure-openai', 'azure-main', { api_key: 'azure-endpoints-key', resource_name: 'endpoints', api_version: '2024-10-21' }, azure.origin);
    await connect('google-ai-studio', 'gemini-main', { api_key: gemini.apiKey }, `${gemini.url}/v1beta`);
    await connect('aws-bedrock', 'bedrock-main', { ...bedrock.credentials }, bedrock.url);
    await connect('google-vertex', 'vertex-main', gemini.vertexCredentials(), `${gemini.url}/v1`);
    await connect('anthropic', 'anthropic-main', { api_key: 'sk-ant-endpoints-0123456789' }, 'http://127.0.0.1:9');
    expect((await fx.settings({ retry_delay: 1, retry_max_attempts: 3, retry_backoff: 'constant' })).status).toBe(200);
  });

  afterEach(() => {
    openai.reset();
    azure.reset();
    gemini.reset();
    bedrock.reset();
  });

  afterAll(async () => {
    await fx?.close();
    await Promise.all([azure?.close(), gemini.stop(), bedrock.stop()]);
  });

  describe('POST /v1/embeddings', () => {
    it('float vectors from OpenAI, priced, with one log record carrying the cost', async () => {
      const { data, response } = await client.embeddings
        .create({ model: 'text-embedding-3-small', input: ['the quick brown fox', 'jumps'], encoding_format: 'float' }, { headers: { 'x-gateway-collect-log': 'true' } })
        .withResponse();
      expect(data.data.map((d) => d.embedding)).toEqual([mockVector('the quick brown fox', 8), mockVector('jumps', 8)]);
      expect(data.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
      expect(openai.requests[0]!.body).toEqual({ model: 'text-embedding-3-small', input: ['the quick brown fox', 'jumps'], encoding_format: 'float' });
      const cost = prices.record('openai', 'text-embedding-3-small', { prompt_tokens: 5, completion_tokens: 0 }).cost;
      expect(cost).toBeGreaterThan(0);
      expect(Number(response.headers.get('x-gateway-cost'))).toBe(cost);
      const record = await recordOf(response.headers.get('x-gateway-log-id'));
      expect(record).toMatchObject({
        path: '/v1/embeddings',
        requestType: 'embeddings',
        modelRequested: 'text-embedding-3-small',
        provider: 'openai',
        statusCode: 200,
        success: true,
        tokens: { input: 5, output: 0 },
        cost,
        attempts: [{ step: 0, provider: 'openai', status: 200 }],
      });
    });

    it('base64 (the SDK default) with dimensions: the SDK decodes what OpenAI encoded', async () => {
      const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world', dimensions: 4 });
      expect(openai.requests[0]!.body).toMatchObject({ encoding_format: 'base64', dimensions: 4 });
      expect(res.data[0]!.embedding).toHaveLength(4);
      res.data[0]!.embedding.forEach((v, i) => expect(v).toBeCloseTo(mockVector('hello world', 4)[i]!, 5));
    });

    it('Gemini-backed: embedContent for one text, base64 encoded by the router, cost null (Gemini reports no tokens)', async () => {
      const { data, response } = await client.embeddings.create({ model: 'gemini/text-embedding-004', input: 'hello gemini', dimensions: 6 }).withResponse();
      expect(gemini.requests).toHaveLength(1);
      expect(gemini.requests[0]!.path).toBe('/v1beta/models/text-embedding-004:embedContent');
      expect(gemini.requests[0]!.body).toEqual({ content: { parts: [{ text: 'hello gemini' }] }, outputDimensionality: 6 });
      data.data[0]!.embedding.forEach((v, i) => expect(v).toBeCloseTo(mockVector('hello gemini', 6)[i]!, 5));
      expect(response.headers.get('x-gateway-provider')).toBe('google-ai-studio');
      expect(response.headers.get('x-gateway-cost')).toBeNull();
    });

    it('Gemini-backed batch of 150: split into batchEmbedContents calls of at most 100, recombined in order', async () => {
      const input = Array.from({ length: 150 }, (_, i) => `text number ${i}`);
      const res = await client.embeddings.create({ model: 'gemini/text-embedding-004', input, encoding_format: 'float' });
      expect(gemini.requests.map((r) => [r.path, r.body.requests.length])).toEqual([
        ['/v1beta/models/text-embedding-004:batchEmbedContents', 100],
        ['/v1beta/models/text-embedding-004:batchEmbedContents', 50],
      ]);
      expect(res.data.map((d) => d.index)).toEqual(input.map((_, i) => i));
      expect(res.data.map((d) => d.embedding)).toEqual(input.map((t) => mockVector(t, 8)));
    });

    it('Vertex-backed: :predict with the service account token, split at the model instance limit, token counts summed', async () => {
      const res = await client.embeddings.create({ model: 'vertex/text-embedding-005', input: ['one two', 'three'], dimensions: 5, encoding_format: 'float' });
      const predict = gemini.requests.filter((r) => r.path !== '/token');
      expect(predict.map((r) => r.path)).toEqual(['/v1/projects/test-project/locations/us-central1/publishers/google/models/text-embedding-005:predict']);
      expect(predict[0]!.body).toEqual({ instances: [{ content: 'one two' }, { content: 'three' }], parameters: { outputDimensionality: 5 } });
      expect(res.data.map((d) => d.embedding)).toEqual([mockVector('one two', 5), mockVector('three', 5)]);
      expect(res.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });

      gemini.reset();
      const one = await client.embeddings.create({ model: 'vertex/gemini-embedding-001', input: ['a', 'b'], encoding_format: 'float' });
      expect(gemini.requests.filter((r) => r.path !== '/token').map((r) => r.body.instances.length)).toEqual([1, 1]);
      expect(one.data.map((d) => d.embedding)).toEqual([mockVector('a', 8), mockVector('b', 8)]);
    });

    it('Bedrock Titan: one InvokeModel per text, token counts summed and priced', async () => {
      const input = ['alpha beta', 'gamma', 'delta epsilon zeta'];
      const { data, response } = await client.embeddings.create({ model: 'bedrock/amazon.titan-embed-text-v2:0', input, dimensions: 256, encoding_format: 'float' }).withResponse();
      expect(bedrock.requests.map((r) => r.path)).toEqual(Array(3).fill('/model/amazon.titan-embed-text-v2%3A0/invoke'));
      expect(bedrock.requests.map((r) => r.body)).toEqual(input.map((inputText) => ({ inputText, dimensions: 256 })));
      expect(data.data.map((d) => d.embedding)).toEqual(input.map((t) => mockVector(t, 256)));
      expect(data.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
      expect(Number(response.headers.get('x-gateway-cost'))).toBe(prices.record('aws-bedrock', 'amazon.titan-embed-text-v2:0', { prompt_tokens: 6, completion_tokens: 0 }).cost);
    });

    it('Bedrock Cohere: at most 96 texts per call, usage from the token-count header', async () => {
      const input = Array.from({ length: 100 }, (_, i) => `doc ${i}`);
      const res = await client.embeddings.create({ model: 'bedrock/cohere.embed-english-v3', input });
      expect(bedrock.requests.map((r) => r.body.texts.length)).toEqual([96, 4]);
      expect(bedrock.requests[0]!.body.input_type).toBe('search_document');
      expect(res.data).toHaveLength(100);
      res.data[99]!.embedding.forEach((v, i) => expect(v).toBeCloseTo(mockVector('doc 99', 8)[i]!, 5));
      expect(res.usage.prompt_tokens).toBe(input.reduce((n, t) => n + mockTokens(t), 0));
    });

    it('retries a 503 and falls back to the next model on an auth failure', async () => {
      openai.enqueue({ status: 503 });
      const retried = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: 'retry me', encoding_format: 'float' }).withResponse();
      expect(retried.response.headers.get('x-gateway-attempts')).toBe('2');
      expect(openai.requests).toHaveLength(2);

      openai.reset();
      openai.enqueue({ status: 401, errorMessage: 'Incorrect API key provided' });
      const fellBack = await client.embeddings
        .create({ model: 'openai/text-embedding-3-small', input: 'fall back', encoding_format: 'float', ...({ fallback_models: ['azure-openai/text-embedding-3-small'] } as object) })
        .withResponse();
      expect(fellBack.response.headers.get('x-gateway-provider')).toBe('azure-openai');
      expect(fellBack.response.headers.get('x-gateway-step')).toBe('1');
      expect(azure.requests[0]!.path).toBe('/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21');
      expect(azure.requests[0]!.body).toEqual({ input: 'fall back', encoding_format: 'float' });
      expect(fellBack.data.data[0]!.embedding).toEqual(mockVector('fall back', 8));
    });

    it('a 400 naming the provider that does not offer the endpoint; gateway fields are not forwarded', async () => {
      const res = await post('/v1/embeddings', { model: 'anthropic/claude-3-5-haiku-latest', input: 'x' });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: { message: 'The /v1/embeddings endpoint is not offered by anthropic.', type: 'invalid_request_error', param: 'model', code: 'endpoint_not_supported' },
      });
      const bad = await post('/v1/embeddings', { model: 'text-embedding-3-small', input: [] });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('input');
      // The mock refuses unknown parameters as OpenAI does: the gateway's own fields never reach it.
      const ok = await post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'x', metadata: { team: 'a' }, disable_log: true });
      expect(ok.status).toBe(200);
    });
  });

  it('POST /v1/completions, JSON and streamed (passed through)', async () => {
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hello', max_tokens: 5 });
    expect(completion.choices[0]!.text).toBe('Hello from the mock.');
    expect(completion.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 4 });
    expect(openai.requests[0]!.path).toBe('/v1/completions');

    const { data: stream, response } = await client.completions
      .create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hello', stream: true, stream_options: { include_usage: true } }, { headers: { 'x-gateway-collect-log': 'true' } })
      .withResponse();
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      usage ??= chunk.usage;
    }
    expect(text).toBe('Hello from the mock.');
    expect(usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 4 });
    // The pass-through stream's usage event is read as it passes: the record has its tokens and cost.
    const record = await recordOf(response.headers.get('x-gateway-log-id'));
    expect(record).toMatchObject({ requestType: 'completions', stream: true, tokens: { input: 2, output: 4 }, cost: prices.record('openai', 'gpt-3.5-turbo-instruct', { prompt_tokens: 2, completion_tokens: 4 }).cost });
  });

  it('POST /v1/images/generations: gpt-image-1 priced by its tokens, dall-e-3 unpriced (cost null)', async () => {
    const { data, response } = await client.images.generate({ model: 'gpt-image-1', prompt: 'a red square', size: '1024x1024' }).withResponse();
    expect(data.data![0]!.b64_json).toBeTruthy();
    expect(Number(response.headers.get('x-gateway-cost'))).toBe(prices.record('openai', 'gpt-image-1', { prompt_tokens: 3, completion_tokens: 272 }).cost);

    const dalle = await client.images.generate({ model: 'dall-e-3', prompt: 'a blue circle', response_format: 'url' }).withResponse();
    expect(dalle.data.data![0]!.url).toMatch(/^https:\/\//);
    expect(dalle.response.headers.get('x-gateway-cost')).toBeNull();
  });

  it('POST /v1/audio/speech: the audio bytes streamed through', async () => {
    const res = await client.audio.speech.create({ model: 'tts-1', input: 'Hello there', voice: 'alloy' });
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('x-gateway-provider')).toBe('openai');
    expect(Buffer.from(await res.arrayBuffer()).equals(mockAudio('Hello there'))).toBe(true);
    expect(openai.requests[0]!.body).toEqual({ model: 'tts-1', input: 'Hello there', voice: 'alloy' });
  });

  it('POST /v1/audio/transcriptions: a small file uploaded as multipart, JSON and text answers', async () => {
    const audio = Buffer.from('RIFF....WAVEfmt mock audio bytes');
    const res = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'hello.wav', { type: 'audio/wav' }) });
    expect(res.text).toBe(`Transcript of hello.wav (${audio.length} bytes).`);
    const form = openai.requests[0]!.body as unknown as MockForm;
    expect(openai.requests[0]!.path).toBe('/v1/audio/transcriptions');
    expect(form.fields['model']).toBe('whisper-1');
    expect(form.files['file']).toEqual({ filename: 'hello.wav', type: 'audio/wav', size: audio.length, sha256: createHash('sha256').update(audio).digest('hex') });

    const text = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'hello.wav'), response_format: 'text' });
    expect(String(text).trim()).toBe(`Transcript of hello.wav (${audio.length} bytes).`);

    const withoutFile = new FormData();
    withoutFile.set('model', 'whisper-1');
    const missing = await httpJson(`${url}/v1/audio/transcriptions`, { token: tenant.projectKey, body: withoutFile });
    expect(missing.status).toBe(400);
    expect(missing.body.error.param).toBe('file');
  });

  it('POST /v1/audio/transcriptions: a large upload is spooled to disk, sent again whole on a retry, and removed after', async () => {
    const spooled = () => readdirSync(tmpdir()).filter((name) => name.startsWith('switchyard-upload-'));
    const before = spooled().length;
    const audio = randomBytes(12 * 1024 * 1024); // bigger than ROUTER_BODY_LIMIT_BYTES would matter for: it is never held whole
    openai.enqueue({ status: 503 });
    const { data, response } = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'long.wav', { type: 'audio/wav' }) }).withResponse();
    expect(data.text).toBe(`Transcript of long.wav (${audio.length} bytes).`);
    expect(response.headers.get('x-gateway-attempts')).toBe('2');
    const sent = openai.requests.map((r) => (r.body as unknown as MockForm).files['file']);
    const digest = createHash('sha256').update(audio).digest('hex');
    expect(sent).toEqual([1, 2].map(() => ({ filename: 'long.wav', type: 'audio/wav', size: audio.length, sha256: digest })));
    // The spool folder goes once the call is over, just after the answer's last byte: give it a moment.
    for (let waited = 0; spooled().length > before && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(spooled().length).toBe(before);
  });

  it('POST /v1/images/generations on Imagen (Gemini API and Vertex): :predict, the images as b64_json; response_format url a 400', async () => {
    const { data, response } = await client.images.generate({ model: 'imagen-4.0-generate-001', prompt: 'a red square', n: 2, size: '1792x1024', output_format: 'jpeg' }).withResponse();
    expect(response.headers.get('x-gateway-provider')).toBe('google-ai-studio');
    expect(gemini.requests).toHaveLength(1);
    expect(gemini.requests[0]!.path).toBe('/v1beta/models/imagen-4.0-generate-001:predict');
    expect(gemini.requests[0]!.headers['x-goog-api-key']).toBe(gemini.apiKey);
    expect(gemini.requests[0]!.body).toEqual({ instances: [{ prompt: 'a red square' }], parameters: { sampleCount: 2, aspectRatio: '16:9', outputOptions: { mimeType: 'image/jpeg' } } });
    expect(data.data!.map((d) => Buffer.from(d.b64_json!, 'base64').equals(TEST_PNG))).toEqual([true, true]);
    expect(data.output_format).toBe('jpeg');
    expect(response.headers.get('x-gateway-cost')).toBeNull();

    gemini.reset();
    const vertex = await client.images.generate({ model: 'vertex/imagen-4.0-generate-001', prompt: 'a blue circle', response_format: 'b64_json' });
    expect(vertex.data).toHaveLength(1);
    const predict = gemini.requests.filter((r) => r.path !== '/token');
    expect(predict.map((r) => r.path)).toEqual([`/v1/projects/${gemini.projectId}/locations/us-central1/publishers/google/models/imagen-4.0-generate-001:predict`]);
    expect(predict[0]!.headers['authorization']).toMatch(/^Bearer /);

    gemini.reset();
    await expect(client.images.generate({ model: 'gemini/imagen-4.0-generate-001', prompt: 'x', response_format: 'url' })).rejects.toMatchObject({ status: 400, param: 'response_format' });
    await expect(client.images.generate({ model: 'gemini/imagen-4.0-generate-001', prompt: 'x', quality: 'hd' })).rejects.toMatchObject({ status: 400, param: 'quality' });
    await expect(client.images.generate({ model: 'gemini/gemini-2.5-flash', prompt: 'x' })).rejects.toMatchObject({ status: 400, param: 'model' });
    expect(gemini.requests).toHaveLength(0);
  });

  it('GET /v1/models says which endpoints each model serves', async () => {
    const models = await httpJson(`${url}/v1/models`, { method: 'GET', token: tenant.projectKey });
    const byId = new Map((models.body.data as { id: string; endpoints: string[] }[]).map((m) => [m.id, m.endpoints]));
    expect(byId.get('text-embedding-3-small')).toEqual(['embeddings']);
    expect(byId.get('whisper-1')).toEqual(['audio.transcriptions']);
    expect(byId.get('gpt-4o-mini')).toEqual(['chat.completions']);
    expect(byId.get('imagen-4.0-generate-001')).toEqual(['images.generations']);
  });
});
