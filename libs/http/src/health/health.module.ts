import { Module, type DynamicModule } from '@nestjs/common';
import { Metrics } from '@switchyard/telemetry';
import { HealthController } from './health.controller';

/** /healthz, /readyz (runs the READINESS_CHECKS the app provides) and /metrics (the process's Metrics). */
@Module({})
export class HealthModule {
  static forRoot(metrics: Metrics): DynamicModule {
    return { module: HealthModule, controllers: [HealthController], providers: [{ provide: Metrics, useValue: metrics }], exports: [Metrics] };
  }
}
