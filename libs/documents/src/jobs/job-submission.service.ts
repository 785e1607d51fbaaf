import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { DocumentJobEntity, DocumentJobsRepository } from '@switchyard/persistence';
import { DocumentQueues } from '@switchyard/queue';
import { invalidRequest, newId, notFound, parseOr400, type KeyPrincipal, type Principal } from '@switchyard/types';
import { DOCUMENTS_TENANCY, projectOfRequest, type DocumentsProject, type DocumentsTenancy } from '../documents-tenancy';
import { checkOutboundUrl } from '../webhooks/url-guard';
import type { StoredJobOptions } from './document-options';
import { fromDocumentError } from './document-errors';
import { DocumentJobsService } from './document-jobs.service';
import { extractOptionsSchema, parseOptionsSchema } from './dtos/job-options.dto';
import type { JobView } from './job-view.mapper';
import { JobOptionsService } from './job-options.service';
import { UploadReceiver, type ReceivedUpload } from './upload-receiver.service';
import type { UploadSource } from './upload-source';

export type JobType = 'parse' | 'extract';

/** Rewrites the form fields of an upload that has a file into the options of a job (the Dynamiq routes). */
export type FieldsMapper = (fields: Record<string, unknown>) => Record<string, unknown>;

interface JobRequest {
  options: StoredJobOptions;
  webhookUrl: string | undefined;
  sourceJobId: string | null;
}

/** Submits document jobs: receives the upload, validates the options, stores the job row and queues it. */
@Injectable()
export class JobSubmissionService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    @Inject(DOCUMENTS_TENANCY) private readonly tenancy: DocumentsTenancy,
    private readonly jobs: DocumentJobsRepository,
    private readonly queues: DocumentQueues,
    private readonly uploads: UploadReceiver,
    private readonly options: JobOptionsService,
    private readonly documentJobs: DocumentJobsService,
  ) {}

  /** `POST /v1/documents/parse` (and `/extract` with `type` extract), answering within `wait` seconds if it can. */
  async submitAndRespond(
    principal: Principal,
    slug: string | undefined,
    type: JobType,
    source: UploadSource,
    wait?: number,
  ): Promise<{ status: number; body: JobView }> {
    const { projectId, id } = await this.submit(principal, slug, type, source);
    return this.documentJobs.respond(projectId, id, wait);
  }

  async submit(
    principal: Principal,
    slug: string | undefined,
    type: JobType,
    source: UploadSource,
    mapFields?: FieldsMapper,
  ): Promise<{ projectId: string; id: string }> {
    const { principal: key, project } = await projectOfRequest(this.tenancy, principal, slug);
    const id = newId();
    const received = await this.uploads.receive(project.id, id, source);
    let fields = received.fields;
    if (mapFields) {
      if (!received.file) throw invalidRequest('A file is required (multipart field "file").', 'file');
      fields = mapFields(fields);
    }
    const request = type === 'parse' ? this.parseRequest(fields, received) : await this.extractRequest(project.id, fields, received);
    await this.create(key, project, id, type, request, received);
    return { projectId: project.id, id };
  }

  private parseRequest(fields: Record<string, unknown>, received: ReceivedUpload): JobRequest {
    const opts = parseOr400(parseOptionsSchema, fields);
    if (!received.file) throw invalidRequest('A file is required (multipart field "file", or "file" as base64 in JSON).', 'file');
    return { options: this.options.pageOptions(opts, opts.model, { params: opts.model_params, field: 'model_params' }), webhookUrl: opts.webhook_url, sourceJobId: null };
  }

  private async extractRequest(projectId: string, fields: Record<string, unknown>, received: ReceivedUpload): Promise<JobRequest> {
    const opts = parseOr400(extractOptionsSchema, fields);
    const options = this.options.pageOptions(opts, opts.ocr_model, { params: opts.ocr_model_params, field: 'ocr_model_params' });
    options.extract = await this.options.extraction(projectId, opts);
    let sourceJobId: string | null = null;
    if (opts.document_id) {
      if (received.file) throw invalidRequest('Give either a file or document_id, not both.', 'document_id');
      const src = await this.jobs.findById(projectId, opts.document_id);
      if (!src) throw notFound(`Document job '${opts.document_id}' not found.`, 'job_not_found', 'document_id');
      if (src.status !== 'succeeded' || typeof src.result?.['markdown'] !== 'string') {
        throw invalidRequest('document_id must be a succeeded parse job.', 'document_id', 'document_not_ready');
      }
      sourceJobId = src.id;
    } else if (!received.file) {
      throw invalidRequest('A file or document_id is required.', 'file');
    }
    return { options, webhookUrl: opts.webhook_url, sourceJobId };
  }

  private async create(key: KeyPrincipal, project: DocumentsProject, id: string, type: JobType, request: JobRequest, received: ReceivedUpload) {
    if (request.webhookUrl) {
      try {
        await checkOutboundUrl(request.webhookUrl, this.config.documents.allowPrivateUrls);
      } catch (err) {
        throw fromDocumentError(err);
      }
    }
    const job = Object.assign(new DocumentJobEntity(), {
      id,
      organizationId: project.organizationId,
      keyId: key.keyId,
      type,
      status: 'queued',
      options: request.options as unknown as Record<string, unknown>,
      fileId: received.file?.id ?? null,
      fileName: received.file?.name ?? null,
      contentType: received.file?.contentType ?? null,
      sourceJobId: request.sourceJobId,
      pages: null,
      pagesTotal: null,
      pagesDone: 0,
      result: null,
      usage: { input_tokens: 0, output_tokens: 0, cost: 0 },
      error: null,
      webhookUrl: request.webhookUrl ?? null,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
    });
    await this.jobs.insert(project.id, job);
    await this.queues.enqueuePrepare(id, project.id);
  }
}
