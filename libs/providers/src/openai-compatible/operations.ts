import type { EmbeddingsRequest, EndpointJsonOutput, EndpointOperation, MultipartRequest, PassThroughRequest } from '@switchyard/types';
import { batches, embeddingInputs, encodeEmbedding } from '../shared/embeddings';
import { encodeMultipart } from '../shared/multipart';
import { openAIEventUsage } from '../shared/event-usage';
import type { AdapterContext, OperationAdapters, UpstreamAnswer, UpstreamCall, UpstreamRequest } from '../types';

/** What an OpenAI-shaped provider offers besides chat completions, and how its embeddings differ from OpenAI's. */
export interface OpenAIOperationsConfig {
  /** The endpoints the provider serves (pass-through shaped; embeddings with the adjustments below). */
  offers: readonly EndpointOperation[];
  /** Most inputs one embeddings request may carry (OpenAI: 2048); larger inputs are split and recombined in order. */
  embeddingBatchLimit?: number;
  /** The provider answers float vectors only: floats are asked for and base64 is encoded here. */
  floatEmbeddingsOnly?: boolean;
  /** The provider's name of OpenAI's `dimensions` (Mistral: `output_dimension`). */
  dimensionsField?: string;
  /** Whether the body names the model (Azure: no, the deployment in the URL does). */
  modelInBody?: boolean;
}

/** How an OpenAI-shaped provider is reached: its URL for an API path, and its headers. */
export interface OpenAIEndpoint<P extends AdapterContext['target']['provider']> {
  url(path: string, ctx: AdapterContext<P>): string;
  headers(ctx: AdapterContext<P>): Record<string, string>;
}

/** OpenAI's answer usage (`prompt_tokens`…, or the `input_tokens`/`output_tokens` of images and transcriptions) in OpenAI's chat names. */
export function reportedUsage(usage: unknown): EndpointJsonOutput['usage'] {
  if (!usage || typeof usage !== 'object') return null;
  const u = usage as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const input = num(u['prompt_tokens']) ?? num(u['input_tokens']);
  if (input === undefined) return null;
  const output = num(u['completion_tokens']) ?? num(u['output_tokens']) ?? 0;
  return { prompt_tokens: input, completion_tokens: output, total_tokens: num(u['total_tokens']) ?? input + output };
}

/** The answer as the provider sent it, with the usage it reported. */
const asSent = (answers: UpstreamAnswer[]): EndpointJsonOutput => ({ body: answers[0]!.body, usage: reportedUsage((answers[0]!.body as { usage?: unknown } | null)?.usage) });

/**
 * The non-chat endpoints of an OpenAI-shaped provider: bodies forwarded as sent (model replaced by the upstream
 * id), answers passed through; embeddings split over the provider's batch limit and recombined in order, with
 * base64 encoded here for providers that answer floats only.
 */
export function openAIOperations<P extends AdapterContext['target']['provider']>(endpoint: OpenAIEndpoint<P>, config: OpenAIOperationsConfig): OperationAdapters<P> {
  const modelInBody = config.modelInBody !== false;
  const jsonBody = (request: PassThroughRequest | EmbeddingsRequest, ctx: AdapterContext<P>): Record<string, unknown> => {
    const body: Record<string, unknown> = { ...request };
    if (modelInBody) body['model'] = ctx.target.upstreamModel;
    else delete body['model'];
    return body;
  };
  const post = (path: string, ctx: AdapterContext<P>, body: unknown, accept = 'application/json'): UpstreamRequest => ({
    url: endpoint.url(path, ctx),
    headers: { 'content-type': 'application/json', accept, ...endpoint.headers(ctx) },
    body: JSON.stringify(body),
  });
  const passThrough =
    (path: string) =>
    (request: PassThroughRequest, ctx: AdapterContext<P>): UpstreamCall =>
      request.stream === true
        ? { read: 'raw', request: post(path, ctx, jsonBody(request, ctx), 'text/event-stream'), sseUsage: openAIEventUsage }
        : { read: 'json', requests: [post(path, ctx, jsonBody(request, ctx))], combine: asSent };

  const all: Required<OperationAdapters<P>> = {
    embeddings: (request, ctx) => {
      const inputs = embeddingInputs(request.input);
      const limit = config.embeddingBatchLimit ?? Infinity;
      const encodeHere = config.floatEmbeddingsOnly === true && request.encoding_format === 'base64';
      const renamed = config.dimensionsField && request.dimensions !== undefined;
      if (inputs.length <= limit && !encodeHere && !renamed) return { read: 'json', requests: [post('/embeddings', ctx, jsonBody(request, ctx))], combine: asSent };
      const base = jsonBody(request, ctx);
      if (encodeHere) delete base['encoding_format'];
      if (renamed) {
        base[config.dimensionsField!] = request.dimensions;
        delete base['dimensions'];
      }
      const groups = batches(inputs, limit);
      return {
        read: 'json',
        requests: groups.map((input) => post('/embeddings', ctx, { ...base, input })),
        combine: (answers) => combineEmbeddings(answers, encodeHere ? 'base64' : undefined),
      };
    },
    completions: passThrough('/completions'),
    images: passThrough('/images/generations'),
    speech: (request, ctx) => ({ read: 'raw', request: post('/audio/speech', ctx, jsonBody(request, ctx), '*/*') }),
    transcription: (request: MultipartRequest, ctx) => {
      const parts = request.parts.flatMap((p) => (p.name !== 'model' ? [p] : modelInBody ? [{ name: 'model', value: ctx.target.upstreamModel }] : []));
      const { contentType, length, body } = encodeMultipart(parts);
      const headers = { 'content-type': contentType, 'content-length': String(length), ...endpoint.headers(ctx) };
      const upstream: UpstreamRequest = { url: endpoint.url('/audio/transcriptions', ctx), headers, body };
      const format = request.parts.find((p) => p.name === 'response_format' && 'value' in p);
      const json = !request.stream && (!format || !('value' in format) || /json$/.test(format.value));
      return json ? { read: 'json', requests: [upstream], combine: asSent } : { read: 'raw', request: upstream };
    },
  };
  const offered: { -readonly [O in EndpointOperation]?: unknown } = {};
  for (const op of config.offers) offered[op] = all[op];
  return offered as OperationAdapters<P>;
}

type OpenAIEmbeddings = { data: { index: number; embedding: number[] | string }[]; model: string; usage?: unknown; [k: string]: unknown };

/** The answers of a split request as one: vectors in input order (re-indexed), usage summed, base64 encoded when asked. */
function combineEmbeddings(answers: UpstreamAnswer[], encode: 'base64' | undefined): EndpointJsonOutput {
  const data: { object: 'embedding'; index: number; embedding: number[] | string }[] = [];
  let reported = false;
  let promptTokens = 0;
  let totalTokens = 0;
  for (const answer of answers) {
    const body = answer.body as OpenAIEmbeddings;
    const sorted = [...body.data].sort((a, b) => a.index - b.index);
    for (const d of sorted) data.push({ object: 'embedding', index: data.length, embedding: encode && Array.isArray(d.embedding) ? encodeEmbedding(d.embedding, encode) : d.embedding });
    const u = reportedUsage(body.usage);
    if (u) {
      reported = true;
      promptTokens += u.prompt_tokens;
      totalTokens += u.total_tokens;
    }
  }
  const first = answers[0]!.body as OpenAIEmbeddings;
  return {
    body: { object: 'list', data, model: first.model, usage: { prompt_tokens: promptTokens, total_tokens: totalTokens } },
    usage: reported ? { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: totalTokens } : null,
  };
}

/** Every endpoint (OpenAI, Azure OpenAI, and a generic OpenAI-compatible server, which decides for itself). */
export const ALL_OPERATIONS: readonly EndpointOperation[] = ['embeddings', 'completions', 'images', 'speech', 'transcription'];
