import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '@switchyard/config';
import { GatewayCoreModule } from '@switchyard/core';
import type { Metrics } from '@switchyard/telemetry';
import { DocumentsModule } from '@switchyard/documents';
import { TenancyModule } from '@switchyard/tenancy';
import { DocumentsController } from './jobs/documents.controller';
import { OcrController } from './jobs/ocr.controller';
import { TemplatesController } from './templates/templates.controller';
import { documentsTenancyProvider } from './tenancy.provider';

@Module({})
export class DocumentsAppModule {
  static forRoot(config: AppConfig, metrics: Metrics): DynamicModule {
    return {
      module: DocumentsAppModule,
      imports: [GatewayCoreModule.forRoot({ config, service: 'documents', metrics }), DocumentsModule.forApi({ tenancy: documentsTenancyProvider, imports: [TenancyModule] })],
      controllers: [DocumentsController, OcrController, TemplatesController],
    };
  }
}
