import multipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '@switchyard/config';
import { createHttpApp } from '@switchyard/http';
import { createLogger, Metrics } from '@switchyard/telemetry';
import { DocumentsAppModule } from './documents.module';

/** Builds and starts the documents API on `port` (0 = any free port). Used by main.ts and by tests. */
export async function startDocuments(config: AppConfig, port = config.http.documentsPort): Promise<NestFastifyApplication> {
  const logger = createLogger({ service: 'documents', level: config.log.level, pretty: config.log.pretty });
  const metrics = new Metrics('documents');
  const maxFile = config.documents.maxFileBytes;
  const app = await createHttpApp(DocumentsAppModule.forRoot(config, metrics), {
    logger,
    metrics,
    jsonMaxDepth: config.limits.jsonMaxDepth,
    // The console (served by the router) calls this service's API from the browser.
    corsOrigins: config.console.origins,
    // JSON uploads carry the file as base64 (4/3 of its size).
    bodyLimit: Math.ceil((maxFile * 4) / 3) + 1024 * 1024,
    // (multipart is bounded per file by the storage write and the multipart fileSize limit)
    configure: async (adapter) => {
      // Streamed: parts are consumed one by one and the file goes to storage in chunks.
      await adapter.register(multipart as never, {
        limits: { fileSize: maxFile + 1, files: 1, fields: 30, fieldSize: 1024 * 1024, parts: 40 },
        throwFileSizeLimit: true,
      });
    },
  });
  await app.listen({ port, host: config.http.host });
  logger.info({ url: await app.getUrl() }, 'documents listening');
  return app;
}
