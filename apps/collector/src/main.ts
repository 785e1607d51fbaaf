import { config, stopTelemetry } from './instrument';
import { run } from '@switchyard/telemetry';
import { startCollector } from './bootstrap';

run('collector', async () => {
  const app = await startCollector(config);
  app.getHttpServer().once('close', () => void stopTelemetry());
});
