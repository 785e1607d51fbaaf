import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, type ServiceConfig } from '@switchyard/config';
import { TenantDirectory } from '@switchyard/auth';
import { GatewayCoreModule } from '@switchyard/core';
import { Metrics } from '@switchyard/telemetry';
import { TenancyModule } from '@switchyard/tenancy';
import { GatewayClient, RequestLogger, RoutingModule, SpanExporter } from '@switchyard/routing';
import { CHAT_CALLER, DOCUMENT_TRACER, DocumentsModule, type ChatCaller, type DocumentTracer } from '@switchyard/documents';
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
    // Job and page spans under the same policy as the gateway's request spans (docs/documents.md#spans).
    const tracer: FactoryProvider<DocumentTracer | null> = {
      provide: DOCUMENT_TRACER,
      inject: [TenantDirectory, SpanExporter, APP_CONFIG],
      useFactory: (directory: TenantDirectory, exporter: SpanExporter | null, c: ServiceConfig) =>
        exporter && {
          wants: async (ctx) => c.otel.gatewaySpans === 'all' || (await directory.projectById(ctx.organizationId, ctx.projectId)).settings.otel.length > 0,
          emit: (ctx, spans) => {
            void directory.projectById(ctx.organizationId, ctx.projectId).then((p) => exporter.add(p.id, p.settings.otel, spans), () => undefined);
          },
        },
    };
    return {
      module: DocumentsWorkerModule,
      imports: [
        GatewayCoreModule.forRoot({ config, service: 'documents-worker', metrics: new Metrics('documents-worker'), http: false }),
        RoutingModule,
        DocumentsModule.forWorker({ tenancy: documentsTenancyProvider, imports: [TenancyModule], chatCaller, tracer }),
      ],
      providers: [DocumentProcessors],
    };
  }
}
