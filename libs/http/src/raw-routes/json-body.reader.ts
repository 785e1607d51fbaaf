import type { IncomingMessage } from 'node:http';
import secureJson from 'secure-json-parse';
import { GatewayError, invalidRequest } from '@switchyard/types';
import { DEFAULT_JSON_MAX_DEPTH, jsonDepthExceeds, jsonTooDeep } from '../body/json-depth';

const FORBIDDEN_KEY_HINT = /__proto__|constructor|\\u/;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

let processMaxDepth = DEFAULT_JSON_MAX_DEPTH;

/** The nesting bound of readJsonBody in this process (`HTTP_JSON_MAX_DEPTH`; createHttpApp sets it). */
export function setJsonMaxDepth(maxDepth: number): void {
  processMaxDepth = maxDepth;
}

/**
 * Reads a JSON request body of at most `limit` bytes: 415 for another content type, 413 past the limit
 * (checked against Content-Length first, then as bytes arrive), 400 for an empty or malformed body, one
 * nested deeper than `maxDepth` (the process's `HTTP_JSON_MAX_DEPTH` unless given) or one with
 * `__proto__` / `constructor.prototype` keys (refused like Fastify's own JSON parser does).
 */
export async function readJsonBody(req: IncomingMessage, limit: number, maxDepth = processMaxDepth): Promise<unknown> {
  if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) {
    req.resume(); // discard the body so the answer reaches the client
    throw new GatewayError(415, 'invalid_request_error', 'unsupported_media_type', 'Unsupported Content-Type: send the body as application/json.');
  }
  const bytes = await readBody(req, limit);
  if (bytes.length === 0) throw invalidJson('Request body is empty; expected a JSON object.');
  const text = bytes.toString('utf8');
  if (jsonDepthExceeds(text, maxDepth)) throw jsonTooDeep(maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidJson('We could not parse the JSON body of your request.');
  }
  // The key walk only where such a key can be: spelled out, or hidden behind a \u escape.
  if (FORBIDDEN_KEY_HINT.test(text)) {
    try {
      secureJson.scan(value as Record<string, unknown>, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      throw invalidJson('The JSON body must not contain __proto__ or constructor.prototype keys.');
    }
  }
  return value;
}

/**
 * Reads a request body of at most `limit` bytes: 413 past it (checked against Content-Length first, then as bytes
 * arrive; the rest is discarded so that the answer reaches the client). Events rather than async iteration:
 * leaving a for-await early would destroy the request and its socket.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => new GatewayError(413, 'invalid_request_error', 'request_too_large', `Request body is too large (the limit is ${limit} bytes).`);
    const fail = (err: GatewayError) => {
      req.resume();
      reject(err);
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return fail(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        return fail(tooLarge());
      }
      chunks.push(chunk);
    });
    req.once('error', (err) => {
      failed = true;
      reject(err);
    });
    req.once('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
  });
}

const invalidJson = (message: string) => invalidRequest(message, null, 'invalid_json');
