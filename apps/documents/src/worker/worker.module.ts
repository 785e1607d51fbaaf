import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import type { AppConfig } from '@switchyard/config';
import { TenantDirectory } from '@switchyard/auth';
import { GatewayCoreModule } from '@switchyard/core';
import { Metrics } from '@switchyard/telemetry';
import { TenancyModule } from '@switchyard/tenancy';
import { GatewayClient, RequestLogger, RoutingModule } from '@switchyard/routing';
import { CHAT_CALLER, DocumentsModule, type ChatCaller } from '@switchyard/documents';
import { GatewayChatCaller } from './gateway-chat-caller';
import { documentsTenancyProvider } from '../tenancy.provider';
import { DocumentProcessors } from './processors';

/**
 * The documents worker: processors and pipeline, no HTTP server. Model calls (vision OCR, extraction)
 * go through the gateway's GatewayClient in-process, with the job's tenant and its connections.
 */
@Module({})
export class DocumentsWorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    const chatCaller: FactoryProvider<ChatCaller> = {
      provide: CHAT_CALLER,
      inject: [GatewayClient, TenantDirectory, RequestLogger],
      useFactory: (g: GatewayClient, directory: TenantDirectory, logger: RequestLogger) => new GatewayChatCaller(g, directory, logger),
    };
    return {
      module: DocumentsWorkerModule,
      imports: [
        GatewayCoreModule.forRoot({ config, service: 'documents-worker', metrics: new Metrics('documents-worker'), http: false }),
        RoutingModule,
        DocumentsModule.forWorker({ tenancy: documentsTenancyProvider, imports: [TenancyModule], chatCaller }),
      ],
      providers: [DocumentProcessors],
    };
  }
}
