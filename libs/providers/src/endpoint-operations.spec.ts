import { Readable } from 'node:stream';
import type { EmbeddingsRequest, MultipartPart, ProviderId } from '@switchyard/types';
import { createAdapterRegistry } from './registry';
import { batches, embeddingInputs, encodeEmbedding } from './shared/embeddings';
import { ctx } from './spec-fixtures';
import type { AdapterContext, UpstreamAnswer, UpstreamCall } from './types';

const adapters = createAdapterRegistry({ fetchImage: async () => ({ mediaType: 'image/png', data: 'AAAA' }) });

async function embed(provider: ProviderId, model: string, request: Pick<EmbeddingsRequest, 'input' | 'encoding_format' | 'dimensions'>, extra: Partial<AdapterContext> = {}): Promise<Extract<UpstreamCall, { read: 'json' }>> {
  const call = await adapters(provider)!.operations!.embeddings!({ model, ...request }, ctx(provider, model, extra));
  if (call.read !== 'json') throw new Error('expected a JSON call');
  return call;
}
const bodies = (call: Extract<UpstreamCall, { read: 'json' }>) => call.requests.map((r) => JSON.parse(String(r.body)) as Record<string, unknown>);
const answer = (body: unknown, headers: UpstreamAnswer['headers'] = {}): UpstreamAnswer => ({ body, headers });
const fromBase64 = (s: string) => Array.from(new Float32Array(new Uint8Array(Buffer.from(s, 'base64')).buffer));

describe('embedding helpers', () => {
  it('lists inputs: a string or a token array is one input', () => {
    expect(embeddingInputs('a')).toEqual(['a']);
    expect(embeddingInputs([1, 2, 3])).toEqual([[1, 2, 3]]);
    expect(embeddingInputs(['a', 'b'])).toEqual(['a', 'b']);
    expect(embeddingInputs([[1], [2]])).toEqual([[1], [2]]);
  });

  it('splits in order at the limit and encodes base64 as little-endian float32 (what OpenAI sends)', () => {
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(encodeEmbedding([0.5, -1], 'float')).toEqual([0.5, -1]);
    expect(encodeEmbedding([0.5, -1], 'base64')).toBe(Buffer.from([0, 0, 0, 0x3f, 0, 0, 0x80, 0xbf]).toString('base64'));
  });
});

describe('OpenAI-shaped embeddings', () => {
  it('OpenAI: one request passed through as sent when under the batch limit', async () => {
    const call = await embed('openai', 'text-embedding-3-small', { input: ['a', 'b'], encoding_format: 'base64', dimensions: 4 });
    expect(call.requests.map((r) => r.url)).toEqual(['https://api.openai.com/v1/embeddings']);
    expect(bodies(call)).toEqual([{ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'base64', dimensions: 4 }]);
    const sent = { object: 'list', data: [], model: 'text-embedding-3-small', usage: { prompt_tokens: 2, total_tokens: 2 } };
    expect(call.combine([answer(sent)])).toEqual({ body: sent, usage: { prompt_tokens: 2, completion_tokens: 0, total_tokens: 2 } });
  });

  it('OpenAI: more than 2048 inputs split and recombined in order, usage summed', async () => {
    const input = Array.from({ length: 2050 }, (_, i) => `t${i}`);
    const call = await embed('openai', 'text-embedding-3-small', { input, encoding_format: 'float' });
    expect(bodies(call).map((b) => (b['input'] as string[]).length)).toEqual([2048, 2]);
    const part = (from: number, n: number) => ({ data: Array.from({ length: n }, (_, i) => ({ object: 'embedding', index: n - 1 - i, embedding: [from + n - 1 - i] })), model: 'm', usage: { prompt_tokens: n, total_tokens: n } });
    const out = call.combine([answer(part(0, 2048)), answer(part(2048, 2))]);
    const data = (out.body as { data: { index: number; embedding: number[] }[] }).data;
    expect(data.map((d) => d.index)).toEqual(input.map((_, i) => i));
    expect(data.map((d) => d.embedding[0])).toEqual(input.map((_, i) => i));
    expect(out.usage).toEqual({ prompt_tokens: 2050, completion_tokens: 0, total_tokens: 2050 });
  });

  it('Azure: the deployment URL, no model in the body', async () => {
    const call = await embed('azure-openai', 'emb-deploy', { input: 'x' }, { target: { provider: 'azure-openai', upstreamModel: 'emb-deploy', baseUrl: null, credentials: { api_key: 'k', resource_name: 'res', api_version: '2024-10-21' } } } as Partial<AdapterContext>);
    expect(call.requests[0]!.url).toBe('https://res.openai.azure.com/openai/deployments/emb-deploy/embeddings?api-version=2024-10-21');
    expect(call.requests[0]!.headers['api-key']).toBe('k');
    expect(bodies(call)).toEqual([{ input: 'x' }]);
  });

  it('Mistral: dimensions as output_dimension, floats asked for and base64 encoded here', async () => {
    const call = await embed('mistral', 'mistral-embed', { input: ['x'], encoding_format: 'base64', dimensions: 2 });
    expect(bodies(call)).toEqual([{ model: 'mistral-embed', input: ['x'], output_dimension: 2 }]);
    const out = call.combine([answer({ data: [{ index: 0, embedding: [0.25, 0.5] }], model: 'mistral-embed', usage: { prompt_tokens: 1, total_tokens: 1 } })]);
    expect(fromBase64((out.body as { data: { embedding: string }[] }).data[0]!.embedding)).toEqual([0.25, 0.5]);
  });

  it('a provider of the family without embeddings offers none (the router answers 400 before any call)', () => {
    expect(adapters('groq')!.operations!.embeddings).toBeUndefined();
    expect(adapters('groq')!.operations!.transcription).toBeDefined();
    expect(adapters('anthropic')!.operations).toBeUndefined();
  });
});

describe('Gemini embeddings', () => {
  it('one text: embedContent with outputDimensionality; usage unknown (null), never made up', async () => {
    const call = await embed('google-ai-studio', 'text-embedding-004', { input: 'hi', dimensions: 3 });
    expect(call.requests[0]!.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:embedContent');
    expect(call.requests[0]!.headers['x-goog-api-key']).toBe('k');
    expect(bodies(call)).toEqual([{ content: { parts: [{ text: 'hi' }] }, outputDimensionality: 3 }]);
    expect(call.combine([answer({ embedding: { values: [1, 2, 3] } })])).toEqual({
      body: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [1, 2, 3] }], model: 'text-embedding-004', usage: { prompt_tokens: 0, total_tokens: 0 } },
      usage: null,
    });
  });

  it('many texts: batchEmbedContents of at most 100 requests naming the model; token arrays refused', async () => {
    const input = Array.from({ length: 101 }, (_, i) => `t${i}`);
    const call = await embed('google-ai-studio', 'text-embedding-004', { input });
    const sent = bodies(call) as { requests: { model: string }[] }[];
    expect(sent.map((b) => b.requests.length)).toEqual([100, 1]);
    expect(sent[1]!.requests[0]).toEqual({ model: 'models/text-embedding-004', content: { parts: [{ text: 't100' }] } });
    await expect(embed('google-ai-studio', 'text-embedding-004', { input: [1, 2] })).rejects.toMatchObject({ param: 'input' });
  });
});

describe('Bedrock embeddings', () => {
  it('Titan: one signed InvokeModel per text, token counts summed', async () => {
    const call = await embed('aws-bedrock', 'amazon.titan-embed-text-v2:0', { input: ['a b', 'c'], dimensions: 256 });
    expect(call.requests.map((r) => r.url)).toEqual(Array(2).fill('https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke'));
    expect(call.requests[0]!.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(bodies(call)).toEqual([{ inputText: 'a b', dimensions: 256 }, { inputText: 'c', dimensions: 256 }]);
    const out = call.combine([answer({ embedding: [1], inputTextTokenCount: 2 }), answer({ embedding: [2], inputTextTokenCount: 1 })]);
    expect(out.usage).toEqual({ prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 });
  });

  it('Titan v1 refuses dimensions (400 naming it) unless dropping is asked for', async () => {
    await expect(embed('aws-bedrock', 'amazon.titan-embed-text-v1', { input: 'a', dimensions: 256 })).rejects.toMatchObject({ param: 'dimensions' });
    const dropped = await embed('aws-bedrock', 'amazon.titan-embed-text-v1', { input: 'a', dimensions: 256 }, { dropUnsupported: true });
    expect(bodies(dropped)).toEqual([{ inputText: 'a' }]);
  });

  it('Cohere: at most 96 texts per call, input_type defaulted, usage from the token-count header', async () => {
    const input = Array.from({ length: 97 }, (_, i) => `t${i}`);
    const call = await embed('aws-bedrock', 'cohere.embed-english-v3', { input });
    expect(bodies(call).map((b) => [(b['texts'] as string[]).length, b['input_type']])).toEqual([
      [96, 'search_document'],
      [1, 'search_document'],
    ]);
    const out = call.combine([answer({ embeddings: [[1]] }, { 'x-amzn-bedrock-input-token-count': '96' }), answer({ embeddings: [[2]] }, { 'x-amzn-bedrock-input-token-count': '1' })]);
    expect(out.usage?.prompt_tokens).toBe(97);
    await expect(embed('aws-bedrock', 'meta.llama3-8b-instruct-v1:0', { input: 'a' })).rejects.toMatchObject({ param: 'model' });
  });
});

describe('pass-through operations', () => {
  it('speech is passed through raw; a JSON transcription is read; text and streams pass through', async () => {
    const ops = adapters('openai')!.operations!;
    const c = ctx<'openai'>('openai', 'tts-1');
    expect(await ops.speech!({ model: 'tts-1', input: 'hi', voice: 'alloy' }, c)).toMatchObject({ read: 'raw', request: { url: 'https://api.openai.com/v1/audio/speech' } });
    const parts: MultipartPart[] = [
      { name: 'model', value: 'whisper-1' },
      { name: 'file', filename: 'a.wav', contentType: 'audio/wav', size: 3, content: () => Readable.from([Buffer.from([1, 2, 3])]) },
    ];
    const json = await ops.transcription!({ model: 'whisper-1', stream: false, parts }, c);
    expect(json.read).toBe('json');
    const text = await ops.transcription!({ model: 'whisper-1', stream: false, parts: [...parts, { name: 'response_format', value: 'srt' }] }, c);
    expect(text.read).toBe('raw');
    const streamed = await ops.completions!({ model: 'gpt-3.5-turbo-instruct', prompt: 'x', stream: true }, c);
    expect(streamed).toMatchObject({ read: 'raw', request: { url: 'https://api.openai.com/v1/completions', headers: { accept: 'text/event-stream' } } });
  });

  it('images report their token usage in OpenAI chat names', async () => {
    const call = await adapters('openai')!.operations!.images!({ model: 'gpt-image-1', prompt: 'p' }, ctx('openai', 'gpt-image-1'));
    if (call.read !== 'json') throw new Error('expected JSON');
    expect(call.combine([answer({ data: [], usage: { input_tokens: 10, output_tokens: 272, total_tokens: 282 } })]).usage).toEqual({ prompt_tokens: 10, completion_tokens: 272, total_tokens: 282 });
    expect(call.combine([answer({ data: [] })]).usage).toBeNull();
  });
});
