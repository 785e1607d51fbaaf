import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { AppConfig } from '@switchyard/config';
import { GatewayCoreModule } from '@switchyard/auth';
import { DocumentQueues } from '@switchyard/queue';
import { Metrics } from '@switchyard/telemetry';
import { CHAT_CALLER, HttpChatCaller, UnavailableChatCaller, type ChatCaller } from '../engines/chat-caller';
import { DocumentPipeline } from './document-pipeline.service';
import { OcrEngines } from './ocr-engines';
import { DocumentProcessors } from './processors';

export interface WorkerModuleOptions {
  /** Overrides the model caller (tests). */
  chatCaller?: ChatCaller;
}

/**
 * The documents worker: processors and pipeline, no HTTP server.
 *
 * Model calls go through CHAT_CALLER. When the router core lands, import `RoutingModule` from
 * `@switchyard/routing` here and bind `{ provide: CHAT_CALLER, useExisting: GatewayClient }`; until
 * then DOCUMENTS_VISION_BASE_URL selects a direct OpenAI-compatible endpoint, and without it only
 * `local-ocr/tesseract` works.
 */
@Module({})
export class DocumentsWorkerModule {
  static forRoot(config: AppConfig, opts: WorkerModuleOptions = {}): DynamicModule {
    const d = config.documents;
    const caller: Provider = {
      provide: CHAT_CALLER,
      useValue:
        opts.chatCaller ?? (d.visionBaseUrl ? new HttpChatCaller(d.visionBaseUrl, d.visionApiKey) : new UnavailableChatCaller()),
    };
    return {
      module: DocumentsWorkerModule,
      imports: [GatewayCoreModule.forRoot({ config, service: 'documents-worker', metrics: new Metrics('documents-worker'), http: false })],
      providers: [caller, DocumentQueues, OcrEngines, DocumentPipeline, DocumentProcessors],
    };
  }
}
