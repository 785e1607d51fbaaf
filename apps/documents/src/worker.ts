import { boot, createLogger, run } from '@switchyard/telemetry';
import { NestFactory } from '@nestjs/core';
import { GatewayCoreModule } from '@switchyard/auth';
import { Metrics, PinoNestLogger } from '@switchyard/telemetry';
import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@switchyard/config';

const { config, stopTelemetry } = boot('documents-worker');

@Module({})
export class DocumentsWorkerModule {
  static forRoot(cfg: AppConfig): DynamicModule {
    return {
      module: DocumentsWorkerModule,
      imports: [GatewayCoreModule.forRoot({ config: cfg, service: 'documents-worker', metrics: new Metrics('documents-worker'), http: false })],
    };
  }
}

/** The documents worker: BullMQ processors, no HTTP server. Closes its workers on SIGTERM/SIGINT. */
run('documents-worker', async () => {
  const logger = createLogger({ service: 'documents-worker', level: config.log.level, pretty: config.log.pretty });
  const app = await NestFactory.createApplicationContext(DocumentsWorkerModule.forRoot(config), { logger: new PinoNestLogger(logger) });
  app.enableShutdownHooks();
  await app.init();
  logger.info('documents worker started');
  process.once('beforeExit', () => void stopTelemetry());
});
