import type { ParsedJson } from '../http';
import { createHash } from 'node:crypto';
import { MockRejection } from './base';

/** A deterministic unit-scale vector for a text: the same from every mock, so tests can compare providers and orders. */
export function mockVector(text: string, dims: number): number[] {
  const out: number[] = [];
  for (let i = 0; out.length < dims; i++) {
    const digest = createHash('sha256').update(`${i}:${text}`).digest();
    for (let j = 0; j + 1 < digest.length && out.length < dims; j += 2) out.push(Math.round((digest.readUInt16BE(j) / 65535 - 0.5) * 2000) / 1000);
  }
  return out;
}

/** A mock's token count of a text: its whitespace-separated words. */
export const mockTokens = (text: string): number => text.split(/\s+/).filter(Boolean).length;

const DEFAULT_DIMS = 8;

function onlyKeys(body: ParsedJson, allowed: string[], where: string): void {
  for (const k of Object.keys(body ?? {})) if (!allowed.includes(k)) throw new MockRejection(400, `Invalid JSON payload received. Unknown name "${k}" at '${where}': Cannot find field.`);
}

function geminiContentText(content: ParsedJson, where: string): string {
  const parts = content?.parts;
  if (!Array.isArray(parts) || !parts.length || parts.some((p: ParsedJson) => typeof p?.text !== 'string')) throw new MockRejection(400, `* ${where}.content.parts: must be text parts`);
  return parts.map((p: ParsedJson) => p.text as string).join('');
}

function geminiDims(v: unknown): number {
  if (v === undefined) return DEFAULT_DIMS;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new MockRejection(400, 'outputDimensionality must be a positive integer.');
  return v;
}

/** Most requests `batchEmbedContents` takes in one call (the real API's limit). */
export const GEMINI_BATCH_LIMIT = 100;

/** Gemini `models/{m}:embedContent` and `:batchEmbedContents`, validated as the API does (fields, batch size, model names). */
export function geminiEmbedAnswer(method: string, model: string, body: ParsedJson): unknown {
  if (method === 'embedContent') {
    onlyKeys(body, ['content', 'taskType', 'title', 'outputDimensionality', 'model'], 'EmbedContentRequest');
    return { embedding: { values: mockVector(geminiContentText(body?.content, 'EmbedContentRequest'), geminiDims(body?.outputDimensionality)) } };
  }
  onlyKeys(body, ['requests'], 'BatchEmbedContentsRequest');
  const requests = body?.requests;
  if (!Array.isArray(requests) || !requests.length) throw new MockRejection(400, '* BatchEmbedContentsRequest.requests: contents is not specified');
  if (requests.length > GEMINI_BATCH_LIMIT) throw new MockRejection(400, `* BatchEmbedContentsRequest.requests: at most ${GEMINI_BATCH_LIMIT} requests can be in one batch`);
  return {
    embeddings: requests.map((r: ParsedJson, i: number) => {
      onlyKeys(r, ['content', 'taskType', 'title', 'outputDimensionality', 'model'], `requests[${i}]`);
      if (r.model !== `models/${model}`) throw new MockRejection(400, `* BatchEmbedContentsRequest.requests[${i}].model: Model must be the same as the one in the request (models/${model}).`);
      return { values: mockVector(geminiContentText(r.content, `requests[${i}]`), geminiDims(r.outputDimensionality)) };
    }),
  };
}

/** Most texts Cohere Embed takes per invocation on Bedrock. */
export const COHERE_BATCH_LIMIT = 96;

/** Bedrock InvokeModel of Titan Text Embeddings and Cohere Embed, validated per their model parameters; the token count in the header. */
export function bedrockEmbedAnswer(modelId: string, body: ParsedJson): { status: number; headers: Record<string, string>; body: string } {
  const answer = (json: unknown, tokens: number) => ({ status: 200, headers: { 'content-type': 'application/json', 'x-amzn-bedrock-input-token-count': String(tokens) }, body: JSON.stringify(json) });
  if (/amazon\.titan-embed-text/.test(modelId)) {
    const v2 = /v2/.test(modelId);
    for (const k of Object.keys(body ?? {})) {
      if (!(v2 ? ['inputText', 'dimensions', 'normalize', 'embeddingTypes'] : ['inputText']).includes(k)) throw new MockRejection(400, `Malformed input request: extraneous key [${k}] is not permitted, please reformat your input and try again.`, 'ValidationException');
    }
    if (typeof body?.inputText !== 'string' || !body.inputText) throw new MockRejection(400, 'Malformed input request: required key [inputText] not found', 'ValidationException');
    if (body.dimensions !== undefined && ![256, 512, 1024].includes(body.dimensions)) throw new MockRejection(400, 'Malformed input request: #/dimensions: must be 256, 512 or 1024', 'ValidationException');
    const tokens = mockTokens(body.inputText);
    return answer({ embedding: mockVector(body.inputText, body.dimensions ?? DEFAULT_DIMS), inputTextTokenCount: tokens }, tokens);
  }
  if (/cohere\.embed/.test(modelId)) {
    for (const k of Object.keys(body ?? {})) {
      if (!['texts', 'images', 'input_type', 'truncate', 'embedding_types'].includes(k)) throw new MockRejection(400, `Malformed input request: extraneous key [${k}] is not permitted`, 'ValidationException');
    }
    const texts = body?.texts;
    if (!Array.isArray(texts) || texts.some((t: unknown) => typeof t !== 'string')) throw new MockRejection(400, 'Malformed input request: #/texts: expected an array of strings', 'ValidationException');
    if (texts.length > COHERE_BATCH_LIMIT) throw new MockRejection(400, `Malformed input request: #/texts: expected maxItems: ${COHERE_BATCH_LIMIT}, actual: ${texts.length}`, 'ValidationException');
    if (!['search_document', 'search_query', 'classification', 'clustering'].includes(body.input_type)) throw new MockRejection(400, 'Malformed input request: #/input_type: required', 'ValidationException');
    const tokens = texts.reduce((n: number, t: string) => n + mockTokens(t), 0);
    return answer({ id: 'emb-mock', embeddings: texts.map((t: string) => mockVector(t, DEFAULT_DIMS)), response_type: 'embeddings_floats', texts }, tokens);
  }
  throw new MockRejection(400, `The provided model identifier is invalid: ${modelId}`, 'ValidationException');
}

/** Vertex AI `publishers/google/models/{m}:predict` of a text embedding model, validated (instances, their limit, parameters). */
export function vertexPredictAnswer(model: string, body: ParsedJson): unknown {
  onlyKeys(body, ['instances', 'parameters'], 'PredictRequest');
  const limit = /^gemini-embedding/.test(model) ? 1 : 250;
  const instances = body?.instances;
  if (!Array.isArray(instances) || !instances.length) throw new MockRejection(400, 'instances must be a non-empty list.');
  if (instances.length > limit) throw new MockRejection(400, `Unable to submit request because the model supports up to ${limit} instances per request, but ${instances.length} were sent.`);
  onlyKeys(body.parameters, ['outputDimensionality', 'autoTruncate'], 'parameters');
  const dims = geminiDims(body.parameters?.outputDimensionality);
  return {
    predictions: instances.map((inst: ParsedJson, i: number) => {
      onlyKeys(inst, ['content', 'task_type', 'title'], `instances[${i}]`);
      if (typeof inst.content !== 'string') throw new MockRejection(400, `instances[${i}].content must be a string.`);
      return { embeddings: { values: mockVector(inst.content, dims), statistics: { truncated: false, token_count: mockTokens(inst.content) } } };
    }),
    metadata: { billableCharacterCount: instances.reduce((n: number, inst: ParsedJson) => n + String(inst.content).length, 0) },
  };
}

const IMAGEN_RATIOS = ['1:1', '3:4', '4:3', '9:16', '16:9'];
const IMAGEN_PARAMETERS = ['sampleCount', 'aspectRatio', 'outputOptions', 'personGeneration', 'safetySetting', 'addWatermark', 'enhancePrompt', 'seed', 'negativePrompt', 'sampleImageSize', 'language', 'includeRaiReason'];

/**
 * Imagen's `:predict` (Gemini API and Vertex AI), from the public reference: one instance with a `prompt`,
 * `parameters.sampleCount` 1-4, an `aspectRatio` among Imagen's, `outputOptions.mimeType` png or jpeg; answers
 * `{predictions:[{mimeType, bytesBase64Encoded}]}`, one per sample: the image bytes are `image` (a PNG by default).
 */
export function imagenPredictAnswer(body: ParsedJson, image: Buffer): unknown {
  onlyKeys(body, ['instances', 'parameters'], 'PredictRequest');
  const instances = body?.instances;
  if (!Array.isArray(instances) || instances.length !== 1) throw new MockRejection(400, 'Imagen takes exactly one instance.');
  onlyKeys(instances[0], ['prompt', 'image', 'mask'], 'instances[0]');
  if (typeof instances[0]?.prompt !== 'string' || !instances[0].prompt) throw new MockRejection(400, 'instances[0].prompt: a non-empty prompt is required.');
  const p = body.parameters ?? {};
  onlyKeys(p, IMAGEN_PARAMETERS, 'parameters');
  const count = p.sampleCount ?? 4;
  if (!Number.isInteger(count) || count < 1 || count > 4) throw new MockRejection(400, 'parameters.sampleCount must be between 1 and 4.');
  if (p.aspectRatio !== undefined && !IMAGEN_RATIOS.includes(p.aspectRatio)) throw new MockRejection(400, `parameters.aspectRatio: unsupported value ${p.aspectRatio}.`);
  const mimeType = p.outputOptions?.mimeType ?? 'image/png';
  if (!['image/png', 'image/jpeg'].includes(mimeType)) throw new MockRejection(400, `parameters.outputOptions.mimeType: unsupported value ${mimeType}.`);
  return { predictions: Array.from({ length: count }, () => ({ mimeType, bytesBase64Encoded: image.toString('base64') })) };
}
