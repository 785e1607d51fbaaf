import { z } from 'zod';
import { gatewayExtensionFields } from './chat-request.schema';
import type { Usage } from './chat-completions.types';

/**
 * The OpenAI endpoints other than chat completions: `/v1/embeddings`, `/v1/completions` (legacy),
 * `/v1/images/generations`, `/v1/audio/speech`, `/v1/audio/transcriptions`. Each runs through the same
 * pipeline as chat; the operation names what the provider adapter is asked to do.
 */
export type EndpointOperation = 'embeddings' | 'completions' | 'images' | 'speech' | 'transcription';

/** The endpoint path of each operation (the request log's `path`; error messages name it). */
export const ENDPOINT_PATHS: Record<EndpointOperation, string> = {
  embeddings: '/v1/embeddings',
  completions: '/v1/completions',
  images: '/v1/images/generations',
  speech: '/v1/audio/speech',
  transcription: '/v1/audio/transcriptions',
};

/** The request log's `requestType` of each operation, also how `GET /v1/models` names the endpoints a model serves. */
export const ENDPOINT_REQUEST_TYPES: Record<EndpointOperation, string> = {
  embeddings: 'embeddings',
  completions: 'completions',
  images: 'images.generations',
  speech: 'audio.speech',
  transcription: 'audio.transcriptions',
};

/** `POST /v1/embeddings` as forwarded (gateway extensions removed; unknown fields kept). */
export interface EmbeddingsRequest {
  model: string;
  /** A string, strings, a token array, or token arrays. */
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  [extra: string]: unknown;
}

/** A JSON body passed through to an OpenAI-shaped provider as sent (model validated, gateway extensions removed). */
export interface PassThroughRequest {
  model: string;
  stream?: boolean | null;
  [extra: string]: unknown;
}

/**
 * One part of a multipart form: a field, or a file kept where the edge spooled it (`content` reads it again from
 * the start, once per upstream attempt; `size` is its length in bytes).
 */
export type MultipartPart = { name: string; value: string } | MultipartFile;

export interface MultipartFile {
  name: string;
  filename: string;
  contentType: string;
  size: number;
  content(): AsyncIterable<Uint8Array>;
}

/** `POST /v1/audio/transcriptions`: the form's parts in order (the file among them). */
export interface MultipartRequest {
  model: string;
  stream: boolean;
  parts: MultipartPart[];
}

/** A parsed request of an endpoint other than chat completions. */
export type EndpointRequest =
  | { operation: 'embeddings'; body: EmbeddingsRequest }
  | { operation: 'completions' | 'images' | 'speech'; body: PassThroughRequest }
  | { operation: 'transcription'; body: MultipartRequest };

/** What an endpoint answers before the edge writes it: JSON with the usage the provider reported (null: none). */
export interface EndpointJsonOutput {
  body: unknown;
  /** OpenAI-shaped token usage as reported (tokens the provider did not report are not made up). */
  usage: Usage | null;
}

const model = z.string().min(1, 'is required').max(512);
const tokens = z.array(z.number().int().min(0)).min(1);

/** OpenAI's limit on inputs per embeddings request (providers with lower limits get the input split). */
export const MAX_EMBEDDING_INPUTS = 2048;

export const embeddingsRequestSchema = z
  .object({
    model,
    input: z.union([
      z.string(),
      z.array(z.string()).min(1, 'must not be empty').max(MAX_EMBEDDING_INPUTS),
      tokens,
      z.array(tokens).min(1, 'must not be empty').max(MAX_EMBEDDING_INPUTS),
    ]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().min(1).optional(),
    user: z.string().max(512).optional(),
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
    ...gatewayExtensionFields,
  })
  .loose();

const prompt = z.union([z.string(), z.array(z.string()).min(1), tokens, z.array(tokens).min(1)]);

export const completionsRequestSchema = z
  .object({
    model,
    prompt,
    stream: z.boolean().nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
    ...gatewayExtensionFields,
  })
  .loose();

export const imagesRequestSchema = z
  .object({
    model,
    prompt: z.string().min(1, 'is required'),
    n: z.number().int().min(1).max(10).nullable().optional(),
    response_format: z.enum(['url', 'b64_json']).nullable().optional(),
    // Streaming partial images is not offered by the gateway (refused rather than silently unstreamed).
    stream: z.literal(false).nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
    ...gatewayExtensionFields,
  })
  .loose();

export const speechRequestSchema = z
  .object({
    model,
    input: z.string().min(1, 'is required').max(4096),
    voice: z.union([z.string().min(1), z.object({ id: z.string().min(1) }).loose()]),
    response_format: z.enum(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']).optional(),
    speed: z.number().min(0.25).max(4).optional(),
    stream_format: z.enum(['audio', 'sse']).optional(),
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
    ...gatewayExtensionFields,
  })
  .loose();

/** The text fields of a transcription form, validated as strings arrive in multipart (numbers and booleans as text). */
export const transcriptionFieldsSchema = z
  .object({
    model,
    language: z.string().optional(),
    prompt: z.string().optional(),
    response_format: z.enum(['json', 'text', 'srt', 'verbose_json', 'vtt', 'diarized_json']).optional(),
    temperature: z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'must be a number between 0 and 1').optional(),
    stream: z.enum(['true', 'false']).optional(),
  })
  .loose();
