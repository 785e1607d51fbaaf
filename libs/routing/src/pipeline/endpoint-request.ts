import {
  completionsRequestSchema,
  embeddingsRequestSchema,
  GATEWAY_BODY_EXTENSIONS,
  imagesRequestSchema,
  invalidRequest,
  parseOr400,
  speechRequestSchema,
  transcriptionFieldsSchema,
  type EndpointRequest,
  type MultipartPart,
} from '@switchyard/types';
import type { BodyExtensions, RequestControls } from './request-controls';

/** The JSON endpoints and their body schemas (transcriptions are multipart: `parseTranscriptionForm`). */
const SCHEMAS = {
  embeddings: embeddingsRequestSchema,
  completions: completionsRequestSchema,
  images: imagesRequestSchema,
  speech: speechRequestSchema,
} as const;

export type JsonEndpointOperation = keyof typeof SCHEMAS;

export interface ParsedEndpointRequest {
  /** What is forwarded: the body as sent (unknown fields kept) minus the gateway's extensions and `metadata`. */
  request: EndpointRequest;
  /** The gateway's own body fields, validated (for parseRequestControls). */
  extensions: BodyExtensions;
}

/**
 * Stage 2, parse, for the JSON endpoints other than chat: validates the body once (a 400 naming the field) and
 * strips the gateway's extensions. `metadata` is the gateway's here (recorded in the log): none of these
 * OpenAI endpoints defines it, so it is not forwarded.
 */
export function parseEndpointRequest(operation: JsonEndpointOperation, body: unknown): ParsedEndpointRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
  const extensions = parseOr400(SCHEMAS[operation], body) as BodyExtensions;
  for (const field of CHAT_ONLY_FIELDS) {
    if ((extensions as Record<string, unknown>)[field] !== undefined) throw invalidRequest(chatOnly(field, operation), field, 'unsupported_parameter');
  }
  const forwarded: Record<string, unknown> = { ...body };
  for (const key of GATEWAY_BODY_EXTENSIONS) delete forwarded[key];
  delete forwarded['metadata'];
  // Validated above: the body is this operation's request.
  return { request: { operation, body: forwarded } as EndpointRequest, extensions };
}

/** The exact cache serves chat-shaped calls only (chat, Responses, Messages): on these endpoints its fields are refused, not ignored. */
const CHAT_ONLY_FIELDS = ['cache_enabled', 'cache_ttl', 'cache_options'] as const;
const chatOnly = (what: string, operation: string) => `${what} is not supported on the ${operation} endpoint: the response cache serves chat calls only.`;

/** A 400 for the cache headers (`x-gateway-cache-key`, `-cache-ttl`) on an endpoint the cache does not serve. */
export function refuseCacheControls(operation: string, cache: RequestControls['cache']): void {
  if (cache.key !== null) throw invalidRequest(chatOnly('x-gateway-cache-key', operation), 'x-gateway-cache-key', 'unsupported_parameter');
  if (cache.ttlSeconds !== undefined) throw invalidRequest(chatOnly('x-gateway-cache-ttl', operation), 'x-gateway-cache-ttl', 'unsupported_parameter');
}

/** The form fields that are the gateway's (as text in multipart): `fallback_models` as a JSON array, `disable_log`. */
const FORM_EXTENSIONS = new Set(['fallback_models', 'disable_log', 'metadata']);

/**
 * Stage 2 for `POST /v1/audio/transcriptions`: the multipart form's fields validated (one `file`, a `model`),
 * the gateway's fields (`fallback_models` as JSON text, `disable_log`, `metadata`) taken out.
 */
export function parseTranscriptionForm(parts: MultipartPart[]): ParsedEndpointRequest {
  const files = parts.filter((p) => 'content' in p);
  if (files.length !== 1 || files[0]!.name !== 'file') throw invalidRequest("The form must carry exactly one file, in the field 'file'.", 'file');
  const fields: Record<string, string> = {};
  for (const p of parts) if ('value' in p) fields[p.name] = p.value;
  const valid = parseOr400(transcriptionFieldsSchema, fields);
  const extensions: BodyExtensions = {};
  if (fields['fallback_models'] !== undefined) extensions.fallback_models = jsonField('fallback_models', fields['fallback_models'], (v) => Array.isArray(v) && v.every((m) => typeof m === 'string' && m) && v.length <= 10);
  if (fields['disable_log'] !== undefined) extensions.disable_log = jsonField('disable_log', fields['disable_log'], (v) => typeof v === 'boolean');
  if (fields['metadata'] !== undefined) extensions.metadata = jsonField('metadata', fields['metadata'], (v) => !!v && typeof v === 'object' && !Array.isArray(v));
  return {
    request: { operation: 'transcription', body: { model: valid.model, stream: valid.stream === 'true', parts: parts.filter((p) => !FORM_EXTENSIONS.has(p.name)) } },
    extensions,
  };
}

function jsonField<T>(name: string, text: string, valid: (v: unknown) => boolean): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!valid(value)) throw invalidRequest(`Invalid value for '${name}': expected JSON of the same shape as in a JSON body.`, name);
  return value as T;
}

/** The request as its log record shows it: JSON bodies as sent; a form's file as its name, type and size (never the bytes). */
export function loggedBody(request: EndpointRequest, body: unknown): unknown {
  if (request.operation !== 'transcription') return body;
  return Object.fromEntries(request.body.parts.map((p) => [p.name, 'content' in p ? { filename: p.filename, content_type: p.contentType, bytes: p.size } : p.value]));
}
