import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { PinoNestLogger, requestIdFrom, type Metrics } from '@switchyard/telemetry';
import { GatewayError } from '@switchyard/types';
import { DEFAULT_JSON_MAX_DEPTH, jsonDepthExceeds, jsonTooDeep } from '../body/json-depth';
import { LINGER_MS } from '../body/unread-body';
import { toErrorResponse } from '../errors/error-response';
import { OpenAIExceptionFilter, sendError } from '../errors/openai-exception.filter';
import { setJsonMaxDepth } from '../raw-routes/json-body.reader';
import { RawRoutes } from '../raw-routes/raw-routes';
import { RawRoutesModule } from '../raw-routes/raw-routes.module';
import { installLeanAsyncResourceBind } from './async-resource-bind';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  bodyLimit: number;
  /** JSON bodies nested deeper are a 400 naming the limit (`HTTP_JSON_MAX_DEPTH`). */
  jsonMaxDepth?: number;
  /** Register extra content parsers or hooks before routes are bound (e.g. protobuf, multipart). */
  configure?: (adapter: FastifyAdapter) => void | Promise<void>;
  /** false: Nest registers no JSON/urlencoded parsers, so `configure` owns body parsing (the collector). */
  bodyParser?: boolean;
  /**
   * true: the Node server answers the app's raw routes itself, ahead of Fastify (a hot path; see
   * raw-routes.ts). RawRoutes is then injectable, built with the app's RAW_ROUTE_AUTHENTICATOR, and
   * features add their routes to it when their module initializes.
   */
  rawRoutes?: boolean;
  /** Browser origins answered with CORS (the console's: `config.console.origins`); none when omitted. */
  corsOrigins?: string[];
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A Nest app on Fastify with the house conventions: request ids (taken from `x-request-id` or made,
 * and returned), JSON logs, per-route metrics, OpenAI-shaped errors for every failure Fastify, Node or
 * Nest can produce (bad JSON 400, JSON nested too deep 400, oversize 413, unknown route 404, headers too
 * large 431, a bad URL, the 503 while closing, unexpected 500), early refusals that leave no unread body
 * on a keep-alive connection (unread-body.ts), graceful shutdown; and Node 20's AsyncResource#bind
 * without its per-request garbage (async-resource-bind.ts).
 */
export async function createHttpApp(module: DynamicModule, opts: HttpAppOptions): Promise<NestFastifyApplication> {
  installLeanAsyncResourceBind();
  const jsonMaxDepth = opts.jsonMaxDepth ?? DEFAULT_JSON_MAX_DEPTH;
  setJsonMaxDepth(jsonMaxDepth);
  let closing = false;
  // With raw routes, the server's listener is bound once Nest has built RawRoutes (before it listens).
  let listener: RequestListener | undefined;
  let fastifyHandler: RequestListener | undefined;
  let rawRoutes: RawRoutes | undefined;
  const adapter = new FastifyAdapter({
    loggerInstance: opts.logger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    bodyLimit: opts.bodyLimit,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => requestIdFrom(req.headers['x-request-id']),
    requestIdHeader: false,
    trustProxy: true,
    // Fastify's own 503 while closing is in its `{error, message, statusCode}` shape: the onRequest hook answers it.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    clientErrorHandler: answerClientError,
    frameworkErrors: (err: Error, request: FastifyRequest, reply: FastifyReply) => sendError(reply, request, err, opts.logger),
    ...(opts.rawRoutes
      ? {
          serverFactory: (handler: RequestListener) => {
            fastifyHandler = handler;
            return createServer((req, res) => (listener ?? handler)(req, res));
          },
        }
      : {}),
  });
  const fastify = adapter.getInstance();
  fastify.addHook('preClose', async () => {
    closing = true;
    rawRoutes?.markClosing();
  });
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (closing) {
      void reply.header('connection', 'close');
      throw new GatewayError(503, 'server_error', 'server_shutting_down', 'The server is shutting down; retry the request.');
    }
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    opts.metrics.observe(request.method, route, reply.statusCode, seconds);
    if (reply.statusCode >= 500) opts.logger.warn({ reqId: request.id, method: request.method, route, status: reply.statusCode, ms: reply.elapsedTime }, 'request failed');
    else opts.logger.debug({ reqId: request.id, method: request.method, route, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });
  if (opts.bodyParser !== false) installJsonParser(fastify, opts.bodyLimit, jsonMaxDepth);
  if (opts.configure) await opts.configure(adapter);

  const root = opts.rawRoutes ? HttpAppModule.around(module, RawRoutesModule.forRoot(opts.logger, opts.metrics)) : module;
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    logger: new PinoNestLogger(opts.logger),
    abortOnError: false,
    // JSON is parsed by installJsonParser (with the depth bound); no route takes urlencoded forms.
    bodyParser: false,
  });
  if (opts.rawRoutes) {
    const routes = app.get(RawRoutes);
    listener = routes.listener(fastifyHandler!);
    rawRoutes = routes;
  }
  if (opts.corsOrigins?.length) {
    // Bearer tokens in a header, never cookies: no credentials mode. Preflights are cached for 10 minutes.
    app.enableCors({ origin: opts.corsOrigins, methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'], maxAge: 600, credentials: false });
  }
  app.useGlobalFilters(new OpenAIExceptionFilter(opts.logger));
  app.enableShutdownHooks();
  return app;
}

/**
 * Fastify's JSON parser (secure-json-parse: `__proto__` and `constructor.prototype` refused) behind the
 * depth bound, so a body nested thousands of levels deep is a 400 before anything walks it recursively.
 */
function installJsonParser(fastify: FastifyInstance, bodyLimit: number, maxDepth: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (req, body, done) => {
    const text = body as string;
    if (jsonDepthExceeds(text, maxDepth)) return done(jsonTooDeep(maxDepth), undefined);
    void parse(req, text, done);
  });
}

/**
 * Errors Node's HTTP parser meets before there is a request (headers too large 431, a request-receive
 * timeout 408, malformed HTTP 400), in the OpenAI shape instead of Fastify's. The answer is written, our
 * side closed, and what the client still sends is discarded for a while, so it reads the answer rather
 * than a reset.
 */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, error] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', new GatewayError(431, 'invalid_request_error', 'headers_too_large', 'The request headers are too large.')]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', new GatewayError(408, 'invalid_request_error', 'request_timeout', 'The request was not received in time.')]
        : [400, 'Bad Request', new GatewayError(400, 'invalid_request_error', 'bad_request', 'The request is not valid HTTP.')];
  const body = JSON.stringify(toErrorResponse(error, '').body);
  if (!socket.writable) return void socket.destroy();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('end', () => socket.destroy());
  socket.on('data', () => undefined);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The root of an app served with raw routes: the app's own module next to RawRoutesModule. */
@Module({})
class HttpAppModule {
  static around(app: DynamicModule, rawRoutes: DynamicModule): DynamicModule {
    return { module: HttpAppModule, imports: [rawRoutes, app] };
  }
}
