import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import type { Logger } from 'pino';
import { PinoNestLogger, requestIdFrom, type Metrics } from '@switchyard/telemetry';
import { OpenAIExceptionFilter } from '../errors/openai-exception.filter';
import { RawRoutes } from '../raw-routes/raw-routes';
import { RawRoutesModule } from '../raw-routes/raw-routes.module';
import { installLeanAsyncResourceBind } from './async-resource-bind';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  bodyLimit: number;
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
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A Nest app on Fastify with the house conventions: request ids (taken from `x-request-id` or made,
 * and returned), JSON logs, per-route metrics, OpenAI-shaped errors for every failure Fastify or
 * Nest can produce (bad JSON 400, oversize 413, unknown route 404, unexpected 500), graceful shutdown;
 * and Node 20's AsyncResource#bind without its per-request garbage (async-resource-bind.ts).
 */
export async function createHttpApp(module: DynamicModule, opts: HttpAppOptions): Promise<NestFastifyApplication> {
  installLeanAsyncResourceBind();
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
    return503OnClosing: true,
    forceCloseConnections: 'idle',
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
  fastify.addHook('preClose', async () => rawRoutes?.markClosing());
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    opts.metrics.observe(request.method, route, reply.statusCode, seconds);
    if (reply.statusCode >= 500) opts.logger.warn({ reqId: request.id, method: request.method, route, status: reply.statusCode, ms: reply.elapsedTime }, 'request failed');
    else opts.logger.debug({ reqId: request.id, method: request.method, route, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
  });
  if (opts.configure) await opts.configure(adapter);

  const root = opts.rawRoutes ? HttpAppModule.around(module, RawRoutesModule.forRoot(opts.logger, opts.metrics)) : module;
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    logger: new PinoNestLogger(opts.logger),
    abortOnError: false,
    bodyParser: opts.bodyParser ?? true,
  });
  if (opts.rawRoutes) {
    const routes = app.get(RawRoutes);
    listener = routes.listener(fastifyHandler!);
    rawRoutes = routes;
  }
  app.useGlobalFilters(new OpenAIExceptionFilter(opts.logger));
  app.enableShutdownHooks();
  return app;
}

/** The root of an app served with raw routes: the app's own module next to RawRoutesModule. */
@Module({})
class HttpAppModule {
  static around(app: DynamicModule, rawRoutes: DynamicModule): DynamicModule {
    return { module: HttpAppModule, imports: [rawRoutes, app] };
  }
}
