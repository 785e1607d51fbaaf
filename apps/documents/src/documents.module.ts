import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@switchyard/config';
import { GatewayCoreModule } from '@switchyard/auth';
import type { Metrics } from '@switchyard/telemetry';

@Module({})
export class DocumentsAppModule {
  static forRoot(config: AppConfig, metrics: Metrics): DynamicModule {
    return {
      module: DocumentsAppModule,
      imports: [GatewayCoreModule.forRoot({ config, service: 'documents', metrics })],
    };
  }
}
