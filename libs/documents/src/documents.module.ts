import { Module, type DynamicModule, type FactoryProvider, type Provider } from '@nestjs/common';
import {
  DocumentJobsRepository,
  DocumentTemplatesRepository,
  documentStorageProvider,
  PersistenceModule,
  WebhookDeliveriesRepository,
  type RepositoryClass,
} from '@switchyard/persistence';
import { DocumentQueues } from '@switchyard/queue';
import type { DocumentsTenancy } from './documents-tenancy';
import type { ChatCaller } from './engines/chat-caller';
import { OcrEngines } from './engines/ocr-engines';
import { DocumentJobEvents } from './jobs/job-events';
import { DocumentJobsService } from './jobs/document-jobs.service';
import { DynamiqOcrService } from './jobs/dynamiq-ocr.service';
import { JobOptionsService } from './jobs/job-options.service';
import { JobSubmissionService } from './jobs/job-submission.service';
import { UploadReceiver } from './jobs/upload-receiver.service';
import { DocumentPipeline } from './pipeline/document-pipeline.service';
import { InFlightCalls } from './pipeline/in-flight-calls.service';
import { DocumentRetention } from './retention/document-retention.service';
import { TemplatesService } from './templates/templates.service';
import { WebhookDeliveryService } from './webhooks/webhook-delivery.service';
import type { DocumentTracer } from './pipeline/document-spans';

export interface DocumentsModuleOptions {
  /** Binds DOCUMENTS_TENANCY (projects and webhook secrets; the app binds it to `@switchyard/auth`). */
  tenancy: FactoryProvider<DocumentsTenancy>;
  /** The modules the tenancy binding injects from (e.g. the tenancy lib's module). */
  imports?: NonNullable<DynamicModule['imports']>;
}

export interface DocumentsWorkerOptions extends DocumentsModuleOptions {
  /** Binds CHAT_CALLER, the worker's model calls (the app binds it to the gateway's client). */
  chatCaller: FactoryProvider<ChatCaller>;
  /** Binds DOCUMENT_TRACER, the job and page spans' policy and sink (none: no spans). */
  tracer?: FactoryProvider<DocumentTracer | null>;
}

/**
 * The documents feature, for either entry point: `forApi` (uploads, jobs, the Dynamiq routes, templates)
 * for the HTTP service, `forWorker` (the pipeline, webhook deliveries, retention) for the worker. Each
 * registers the repositories its services use, and exports the services its app's controllers or
 * processors call.
 */
@Module({})
export class DocumentsModule {
  static forApi(options: DocumentsModuleOptions): DynamicModule {
    const services = [UploadReceiver, JobOptionsService, JobSubmissionService, DocumentJobsService, DynamiqOcrService, TemplatesService];
    return documentsModule(
      options,
      [DocumentJobsRepository, DocumentTemplatesRepository, WebhookDeliveriesRepository],
      services,
      [JobSubmissionService, DocumentJobsService, DynamiqOcrService, TemplatesService],
    );
  }

  static forWorker(options: DocumentsWorkerOptions): DynamicModule {
    const services: Provider[] = [options.chatCaller, OcrEngines, InFlightCalls, DocumentPipeline, WebhookDeliveryService, DocumentRetention];
    if (options.tracer) services.push(options.tracer);
    return documentsModule(
      options,
      [DocumentJobsRepository, WebhookDeliveriesRepository],
      services,
      [DocumentPipeline, WebhookDeliveryService, DocumentRetention],
    );
  }
}

function documentsModule(
  options: DocumentsModuleOptions,
  repositories: RepositoryClass[],
  services: Provider[],
  exports: Provider[],
): DynamicModule {
  return {
    module: DocumentsModule,
    imports: [PersistenceModule.forFeature(repositories), ...(options.imports ?? [])],
    // The file storage (PostgreSQL or S3, by DOCUMENTS_STORAGE) is built from the root DataSource and the config.
    providers: [options.tenancy, documentStorageProvider, DocumentQueues, DocumentJobEvents, ...services],
    exports,
  };
}
