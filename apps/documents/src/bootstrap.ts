import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@switchyard/config';
import { createHttpApp, createLogger, Metrics } from '@switchyard/telemetry';
import { DocumentsAppModule } from './documents.module';

/** Builds and starts the documents API on `port` (0 = any free port). Used by main.ts and by tests. */
export async function startDocuments(config: AppConfig, port = config.http.documentsPort): Promise<NestFastifyApplication> {
  const logger = createLogger({ service: 'documents', level: config.log.level, pretty: config.log.pretty });
  const metrics = new Metrics('documents');
  const app = await createHttpApp(DocumentsAppModule.forRoot(config, metrics), {
    logger,
    metrics,
    bodyLimit: config.documents.maxFileBytes + 1024 * 1024,
  });
  await app.listen({ port, host: config.http.host });
  logger.info({ url: await app.getUrl() }, 'documents listening');
  return app;
}
