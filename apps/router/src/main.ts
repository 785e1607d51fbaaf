import { config, stopTelemetry } from './instrument';
import { run } from '@switchyard/telemetry';
import { startRouter } from './bootstrap';

run('router', async () => {
  const app = await startRouter(config);
  app.getHttpServer().once('close', () => void stopTelemetry());
});
