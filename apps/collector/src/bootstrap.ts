import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@switchyard/config';
import { createHttpApp } from '@switchyard/http';
import { createLogger, Metrics } from '@switchyard/telemetry';
import { CollectorAppModule } from './collector.module';

/** Builds and starts the collector on `port` (0 = any free port). Used by main.ts and by tests. */
export async function startCollector(config: AppConfig, port = config.http.collectorPort): Promise<NestFastifyApplication> {
  const logger = createLogger({ service: 'collector', level: config.log.level, pretty: config.log.pretty });
  const metrics = new Metrics('collector');
  const app = await createHttpApp(CollectorAppModule.forRoot(config, metrics), {
    logger,
    metrics,
    jsonMaxDepth: config.limits.jsonMaxDepth,
    bodyLimit: config.collector.maxBodyBytes,
    bodyParser: false,
    // The console (served by the router) calls this service's API from the browser.
    corsOrigins: config.console.origins,
    configure: (adapter) => {
      // Ingest reads the raw body itself (gzip, protobuf, a decompressed-size limit with OTLP errors);
      // no route of the collector takes a parsed body.
      const fastify = adapter.getInstance();
      fastify.removeAllContentTypeParsers();
      fastify.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    },
  });
  await app.listen({ port, host: config.http.host });
  logger.info({ url: await app.getUrl() }, 'collector listening');
  return app;
}
