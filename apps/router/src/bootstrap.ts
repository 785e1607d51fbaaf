import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@switchyard/config';
import { createHttpApp } from '@switchyard/http';
import { warmTokenizer } from '@switchyard/metering';
import { createLogger, Metrics } from '@switchyard/telemetry';
import { registerConsole } from './console/console-static';
import { RouterAppModule } from './router.module';

/** Builds and starts the router on `port` (0 = any free port). Used by main.ts and by tests. */
export async function startRouter(config: AppConfig, port = config.http.routerPort): Promise<NestFastifyApplication> {
  const logger = createLogger({ service: 'router', level: config.log.level, pretty: config.log.pretty });
  const metrics = new Metrics('router');
  const app = await createHttpApp(RouterAppModule.forRoot(config, metrics), {
    logger,
    metrics,
    jsonMaxDepth: config.limits.jsonMaxDepth,
    bodyLimit: config.router.bodyLimitBytes,
    // The chat feature serves `POST /v1/chat/completions` as a raw route (chat/chat.routes.ts).
    rawRoutes: true,
  });
  registerConsole(app.getHttpAdapter().getInstance(), config);
  // Off the request path: the first request under a token limit or budget would otherwise load the tokenizer.
  warmTokenizer();
  await app.listen({ port, host: config.http.host });
  if (config.admin.usingDevDefault) logger.warn('GATEWAY_ADMIN_TOKEN is not set: using the development default. Never do this in production.');
  if (config.secrets.usingDevDefault) logger.warn('GATEWAY_MASTER_KEY is not set: using the development default key. Never do this in production.');
  logger.info({ url: await app.getUrl() }, 'router listening');
  return app;
}
