import type { ParsedJson } from './http';
import type { ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { mockTokens, mockVector } from './mock-providers/embeddings';

/**
 * OpenAI's endpoints besides chat completions, as the mock server answers them (written from the OpenAI API
 * reference): unknown parameters are refused as OpenAI does, required ones checked, limits enforced.
 */
export const OTHER_ENDPOINTS = ['/embeddings', '/completions', '/images/generations', '/audio/speech', '/audio/transcriptions'] as const;
export type OtherEndpoint = (typeof OTHER_ENDPOINTS)[number];

/** A received multipart form: its text fields and its files (name, type, size, sha256 of the bytes). */
export interface MockForm {
  fields: Record<string, string>;
  files: Record<string, { filename: string; type: string; size: number; sha256: string }>;
}

export async function formOf(bytes: Buffer, contentType: string): Promise<MockForm> {
  const form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
  const out: MockForm = { fields: {}, files: {} };
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') out.fields[name] = value;
    else {
      const data = Buffer.from(await value.arrayBuffer());
      out.files[name] = { filename: value.name, type: value.type, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    }
  }
  return out;
}

class Invalid extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

const ALLOWED: Record<Exclude<OtherEndpoint, '/audio/transcriptions'>, string[]> = {
  '/embeddings': ['model', 'input', 'encoding_format', 'dimensions', 'user'],
  '/completions': ['model', 'prompt', 'suffix', 'max_tokens', 'temperature', 'top_p', 'n', 'stream', 'stream_options', 'logprobs', 'echo', 'stop', 'presence_penalty', 'frequency_penalty', 'best_of', 'logit_bias', 'user', 'seed'],
  '/images/generations': ['model', 'prompt', 'n', 'quality', 'response_format', 'size', 'style', 'user', 'background', 'moderation', 'output_compression', 'output_format'],
  '/audio/speech': ['model', 'input', 'voice', 'instructions', 'response_format', 'speed', 'stream_format'],
};

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

/** Answers one request of an endpoint other than chat; `azure`: the deployment in the URL names the model (no `model` in the body). */
export function answerEndpoint(res: ServerResponse, endpoint: OtherEndpoint, body: ParsedJson, embeddingBatchLimit: number, azure: boolean): void {
  try {
    if (endpoint === '/audio/transcriptions') return transcription(res, body as MockForm, azure);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Invalid('We could not parse the JSON body of your request.');
    for (const k of Object.keys(body)) if (!ALLOWED[endpoint].includes(k)) throw new Invalid(`Unrecognized request argument supplied: ${k}`, k);
    if (!azure && (typeof body.model !== 'string' || !body.model)) throw new Invalid("you must provide a model parameter", 'model');
    const model: string = body.model ?? 'azure-deployment';
    switch (endpoint) {
      case '/embeddings':
        return json(res, 200, embeddings(body, model, embeddingBatchLimit));
      case '/completions':
        return completions(res, body, model);
      case '/images/generations':
        return json(res, 200, images(body, model));
      case '/audio/speech':
        return speech(res, body);
    }
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    json(res, 400, { error: { message: err.message, type: 'invalid_request_error', param: err.param, code: null } });
  }
}

function embeddings(body: ParsedJson, model: string, limit: number) {
  const input: unknown = body.input;
  let inputs: (string | number[])[];
  if (typeof input === 'string') inputs = [input];
  else if (Array.isArray(input) && input.length && input.every((i) => typeof i === 'number')) inputs = [input as number[]];
  else if (Array.isArray(input) && input.length && input.every((i) => typeof i === 'string' || (Array.isArray(i) && i.every((t) => typeof t === 'number')))) inputs = input as (string | number[])[];
  else throw new Invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input');
  if (inputs.length > limit) throw new Invalid(`Invalid 'input': array too long. Expected an array with maximum length ${limit}, but got an array with length ${inputs.length} instead.`, 'input');
  if (inputs.some((i) => i.length === 0)) throw new Invalid("'$.input' is invalid: an input must not be empty.", 'input');
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') throw new Invalid(`Invalid value for 'encoding_format': '${String(format)}'.`, 'encoding_format');
  if (body.dimensions !== undefined) {
    if (!Number.isInteger(body.dimensions) || body.dimensions < 1) throw new Invalid("Invalid 'dimensions': must be a positive integer.", 'dimensions');
    if (!/^text-embedding-3/.test(model)) throw new Invalid('This model does not support specifying dimensions.', 'dimensions');
  }
  const dims: number = body.dimensions ?? 8;
  const tokens = inputs.reduce((n, i) => n + (typeof i === 'string' ? mockTokens(i) : i.length), 0);
  return {
    object: 'list',
    data: inputs.map((i, index) => {
      const v = mockVector(typeof i === 'string' ? i : i.join(','), dims);
      return { object: 'embedding', index, embedding: format === 'base64' ? Buffer.from(Float32Array.from(v).buffer).toString('base64') : v };
    }),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

const COMPLETION_TEXT = ['Hello', ' from', ' the', ' mock.'];

function completions(res: ServerResponse, body: ParsedJson, model: string): void {
  const prompt: unknown = body.prompt;
  if (prompt === undefined || prompt === null) throw new Invalid('You must provide a prompt.', 'prompt');
  const text = typeof prompt === 'string' ? prompt : JSON.stringify(prompt);
  const usage = { prompt_tokens: mockTokens(text), completion_tokens: COMPLETION_TEXT.length, total_tokens: mockTokens(text) + COMPLETION_TEXT.length };
  const base = { id: 'cmpl-mock', object: 'text_completion', created: 1_700_000_000, model };
  if (!body.stream) {
    return json(res, 200, { ...base, choices: [{ text: COMPLETION_TEXT.join(''), index: 0, logprobs: null, finish_reason: 'stop' }], usage });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const piece of COMPLETION_TEXT) res.write(`data: ${JSON.stringify({ ...base, choices: [{ text: piece, index: 0, logprobs: null, finish_reason: null }] })}\n\n`);
  res.write(`data: ${JSON.stringify({ ...base, choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }] })}\n\n`);
  if (body.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
  res.end('data: [DONE]\n\n');
}

/** A 1x1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function images(body: ParsedJson, model: string) {
  if (typeof body.prompt !== 'string' || !body.prompt) throw new Invalid('You must provide a prompt.', 'prompt');
  const n: number = body.n ?? 1;
  const gptImage = /^gpt-image/.test(model);
  if (gptImage && body.response_format !== undefined) throw new Invalid("Unknown parameter: 'response_format'.", 'response_format');
  if (/^dall-e-3/.test(model) && n !== 1) throw new Invalid("Invalid 'n': dall-e-3 supports only n=1.", 'n');
  const b64 = gptImage || body.response_format === 'b64_json';
  const data = Array.from({ length: n }, (_, i) => (b64 ? { b64_json: PNG } : { url: `https://images.example.test/mock-${i}.png`, revised_prompt: body.prompt }));
  const promptTokens = mockTokens(body.prompt);
  return gptImage
    ? { created: 1_700_000_000, data, usage: { input_tokens: promptTokens, output_tokens: 272 * n, total_tokens: promptTokens + 272 * n, input_tokens_details: { text_tokens: promptTokens, image_tokens: 0 } } }
    : { created: 1_700_000_000, data };
}

const AUDIO_TYPES: Record<string, string> = { mp3: 'audio/mpeg', opus: 'audio/opus', aac: 'audio/aac', flac: 'audio/flac', wav: 'audio/wav', pcm: 'audio/pcm' };

/** The mock's audio for a text: deterministic bytes (an ID3 tag, then a hash stream), 16 KiB. */
export function mockAudio(input: string): Buffer {
  const chunks = [Buffer.from('ID3\x04\x00\x00')];
  for (let i = 0; Buffer.concat(chunks).length < 16 * 1024; i++) chunks.push(createHash('sha256').update(`${i}:${input}`).digest());
  return Buffer.concat(chunks).subarray(0, 16 * 1024);
}

function speech(res: ServerResponse, body: ParsedJson): void {
  if (typeof body.input !== 'string' || !body.input) throw new Invalid('You must provide input.', 'input');
  if (body.voice === undefined) throw new Invalid("Missing required parameter: 'voice'.", 'voice');
  const format: string = body.response_format ?? 'mp3';
  if (!AUDIO_TYPES[format]) throw new Invalid(`Invalid value for 'response_format': '${format}'.`, 'response_format');
  const audio = mockAudio(body.input);
  res.writeHead(200, { 'content-type': AUDIO_TYPES[format]!, 'transfer-encoding': 'chunked' });
  // Sent in four writes, as a real server streams audio while it is generated.
  const quarter = audio.length / 4;
  for (let i = 0; i < 4; i++) res.write(audio.subarray(i * quarter, (i + 1) * quarter));
  res.end();
}

function transcription(res: ServerResponse, form: MockForm, azure: boolean): void {
  if (!form || typeof form !== 'object' || !('fields' in form)) throw new Invalid('The request must be multipart/form-data.');
  const file = form.files['file'];
  if (!file || file.size === 0) throw new Invalid("Missing required parameter: 'file'.", 'file');
  const model = form.fields['model'];
  if (!azure && !model) throw new Invalid("Missing required parameter: 'model'.", 'model');
  const format = form.fields['response_format'] ?? 'json';
  const text = `Transcript of ${file.filename} (${file.size} bytes).`;
  if (format === 'text') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
    return;
  }
  if (format !== 'json' && format !== 'verbose_json') throw new Invalid(`Invalid value for 'response_format': '${format}'.`, 'response_format');
  const usage = model === 'whisper-1' || azure ? { type: 'duration', seconds: 3 } : { type: 'tokens', input_tokens: 50, output_tokens: mockTokens(text), total_tokens: 50 + mockTokens(text), input_token_details: { text_tokens: 0, audio_tokens: 50 } };
  json(res, 200, { text, usage });
}
