import { writeFile } from 'node:fs/promises';
import { boot, createLogger, PinoNestLogger, run } from '@switchyard/telemetry';
import { NestFactory } from '@nestjs/core';
import { DocumentsWorkerModule } from './worker/worker.module';

const { config, stopTelemetry } = boot('documents-worker');

/** The documents worker: BullMQ processors, no HTTP server. Closes its workers on SIGTERM/SIGINT. */
run('documents-worker', async () => {
  const logger = createLogger({ service: 'documents-worker', level: config.log.level, pretty: config.log.pretty });
  const app = await NestFactory.createApplicationContext(DocumentsWorkerModule.forRoot(config), { logger: new PinoNestLogger(logger) });
  app.enableShutdownHooks();
  await app.init();
  logger.info('documents worker started');
  const heartbeat = config.documents.heartbeatFile;
  if (heartbeat) {
    // Proof of a running event loop for the worker's probes (it has no HTTP server): infra/k8s/worker.yaml.
    const beat = () => void writeFile(heartbeat, String(Date.now())).catch((err: Error) => logger.warn(`heartbeat file: ${err.message}`));
    beat();
    setInterval(beat, 10_000).unref();
  }
  process.once('beforeExit', () => void stopTelemetry());
});
