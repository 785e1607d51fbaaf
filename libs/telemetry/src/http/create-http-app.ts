import { createServer } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import type { Logger } from 'pino';
import { requestIdFrom } from '../request-id';
import { PinoNestLogger } from '../logger';
import type { Metrics } from '../metrics';
import { OpenAIExceptionFilter } from './openai-exception.filter';
import type { RawRoutes } from './raw-routes';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  bodyLimit: number;
  /** Register extra content parsers or hooks before routes are bound (e.g. protobuf, multipart). */
  configure?: (adapter: FastifyAdapter) => void | Promise<void>;
  /** false: Nest registers no JSON/urlencoded parsers, so `configure` owns body parsing (the collector). */
  bodyParser?: boolean;
  /** Routes the Node server answers itself, ahead of Fastify (a hot path; see raw-routes.ts). */
  rawRoutes?: RawRoutes;
}

/**
 * A Nest app on Fastify with the house conventions: request ids (taken from `x-request-id` or made,
 * and returned), JSON logs, per-route metrics, OpenAI-shaped errors for every failure Fastify or
 * Nest can produce (bad JSON 400, oversize 413, unknown route 404, unexpected 500), graceful shutdown.
 */
export async function createHttpApp(module: unknown, opts: HttpAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: opts.logger,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    bodyLimit: opts.bodyLimit,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => requestIdFrom(req.headers['x-request-id']),
    requestIdHeader: false,
    trustProxy: true,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ...(opts.rawRoutes ? { serverFactory: (handler: Parameters<RawRoutes['listener']>[0]) => createServer(opts.rawRoutes!.listener(handler)) } : {}),
  });
  const fastify = adapter.getInstance();
  if (opts.rawRoutes) {
    const raw = opts.rawRoutes;
    fastify.addHook('preClose', async () => raw.markClosing());
  }
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

  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    logger: new PinoNestLogger(opts.logger),
    abortOnError: false,
    bodyParser: opts.bodyParser ?? true,
  });
  app.useGlobalFilters(new OpenAIExceptionFilter(opts.logger));
  app.enableShutdownHooks();
  return app;
}
