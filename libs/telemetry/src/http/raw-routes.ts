import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import secureJson from 'secure-json-parse';
import { GatewayError, invalidRequest } from '@switchyard/types';
import type { Metrics } from '../metrics';
import { requestIdFrom } from '../request-id';
import { toErrorResponse } from './error-response';

/** A route served on the Node HTTP server itself: it owns the response from the first byte. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>;

/**
 * Routes answered by the Node HTTP server directly, ahead of Fastify and Nest, for a service's hot path
 * (the router's `POST /v1/chat/completions`). Fastify's per-request machinery (routing, content-type
 * parser, child logger, hook chain, reply serialization) cost more CPU than the router's own work and
 * allocated enough to keep the garbage collector busy; a raw route keeps the house conventions here
 * instead: request ids (`x-request-id` in and out), per-route metrics, 5xx logging, OpenAI-shaped errors
 * and a 503 while the server is closing. Every other route goes to Fastify unchanged.
 */
export class RawRoutes {
  private readonly routes = new Map<string, RawHandler>();
  private closing = false;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  add(method: string, path: string, handler: RawHandler): void {
    this.routes.set(`${method} ${path}`, handler);
  }

  /** From now on raw routes answer 503 (the server is draining), as Fastify's own routes do. */
  markClosing(): void {
    this.closing = true;
  }

  /** The server's request listener: a raw route when one matches, else `fallback` (Fastify). */
  listener(fallback: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      if (this.routes.size === 0) return fallback(req, res);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const handler = this.routes.get(`${req.method} ${path}`);
      if (!handler) return fallback(req, res);
      this.serve(handler, path, req, res);
    };
  }

  private serve(handler: RawHandler, path: string, req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    res.once('close', () => {
      const ms = performance.now() - started;
      this.metrics.observe(req.method ?? 'POST', path, res.statusCode, ms / 1000);
      if (res.statusCode >= 500) this.logger.warn({ reqId: requestId, method: req.method, route: path, status: res.statusCode, ms }, 'request failed');
    });
    if (this.closing) {
      res.setHeader('connection', 'close');
      writeError(res, requestId, new GatewayError(503, 'server_error', 'server_shutting_down', 'The server is shutting down; retry the request.'), this.logger);
      return;
    }
    handler(req, res, requestId).catch((err: unknown) => writeError(res, requestId, err, this.logger));
  }
}

const FORBIDDEN_KEY_HINT = /__proto__|constructor|\\u/;
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads a JSON request body of at most `limit` bytes: 415 for another content type, 413 past the limit
 * (checked against Content-Length first, then as bytes arrive), 400 for an empty or malformed body or one
 * with `__proto__` / `constructor.prototype` keys (refused like Fastify's own JSON parser does).
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const fail = (err: GatewayError) => {
      req.resume(); // discard the rest so the answer reaches the client
      reject(err);
    };
    if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) {
      return fail(new GatewayError(415, 'invalid_request_error', 'unsupported_media_type', 'Unsupported Content-Type: send the body as application/json.'));
    }
    const tooLarge = () => new GatewayError(413, 'invalid_request_error', 'request_too_large', `Request body is too large (the limit is ${limit} bytes).`);
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
      if (failed) return;
      if (size === 0) return reject(invalidJson('Request body is empty; expected a JSON object.'));
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString('utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return reject(invalidJson('We could not parse the JSON body of your request.'));
      }
      // The key walk only where such a key can be: spelled out, or hidden behind a \u escape.
      if (FORBIDDEN_KEY_HINT.test(text)) {
        try {
          secureJson.scan(value as Record<string, unknown>, { protoAction: 'error', constructorAction: 'error' });
        } catch {
          return reject(invalidJson('The JSON body must not contain __proto__ or constructor.prototype keys.'));
        }
      }
      resolve(value);
    });
  });
}

const invalidJson = (message: string) => invalidRequest(message, null, 'invalid_json');

/** Sends a JSON answer with its length (one write). */
export function writeJson(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body);
}

/** Sends an error in the OpenAI shape; once a response has begun, the connection is cut instead. */
export function writeError(res: ServerResponse, requestId: string, err: unknown, logger: Logger): void {
  const answer = toErrorResponse(err, requestId);
  if (answer.internal) logger.error({ err, reqId: requestId }, 'unhandled error');
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  writeJson(res, answer.status, { ...answer.headers }, JSON.stringify(answer.body));
}
