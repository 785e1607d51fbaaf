import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@switchyard/config';
import { GatewayCoreModule } from '@switchyard/auth';
import type { Metrics } from '@switchyard/telemetry';

@Module({})
export class CollectorAppModule {
  static forRoot(config: AppConfig, metrics: Metrics): DynamicModule {
    return {
      module: CollectorAppModule,
      // Accepted spans are durable in Redis, so readiness does not depend on PostgreSQL.
      imports: [GatewayCoreModule.forRoot({ config, service: 'collector', metrics, readiness: ['redis'], defaultAuthPolicy: 'project-key-or-admin' })],
    };
  }
}
