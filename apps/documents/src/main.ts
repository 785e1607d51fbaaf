import { config, stopTelemetry } from './instrument';
import { run } from '@switchyard/telemetry';
import { startDocuments } from './bootstrap';

run('documents', async () => {
  const app = await startDocuments(config);
  app.getHttpServer().once('close', () => void stopTelemetry());
});
