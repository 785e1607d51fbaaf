import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import {
  DOCUMENT_STORAGE,
  DocumentJobEntity,
  DocumentJobsRepository,
  DocumentTemplatesRepository,
  FileTooLargeError,
  WebhookDeliveriesRepository,
  type DocumentStorage,
  type StoredFile,
} from '@switchyard/persistence';
import { DocumentQueues } from '@switchyard/queue';
import { conflict, invalidRequest, isUuid, newId, notFound, parseOr400, type KeyPrincipal, type Principal } from '@switchyard/types';
import { compileSchema } from '../extraction/schema-validator';
import { parseTemplate, templateToSchema } from '../extraction/template-schema';
import { httpStatusOfCode } from '../pipeline/document.exception';
import { validatePageSpec } from '../pipeline/page-range';
import { checkPixels, CONTENT_TYPES, pngDimensions, requireSupported } from '../pipeline/sniff';
import { checkOutboundUrl } from '../webhooks/url-guard';
import type { StoredJobOptions } from './document-options';
import { documentError, fromDocumentError } from './document-errors';
import {
  dynamiqExtractOptionsSchema,
  dynamiqParseOptionsSchema,
  extractOptionsSchema,
  listJobsQuerySchema,
  modelOfLlm,
  parseOptionsSchema,
  type ExtractOptionsDto,
} from './dtos/job-options.dto';
import type { UploadPart, UploadSource } from './upload-source';
import { DocumentJobEvents } from './job-events';
import { DOCUMENTS_TENANCY, type DocumentsProject, type DocumentsTenancy } from '../documents-tenancy';

export interface JobView {
  id: string;
  type: 'parse' | 'extract';
  status: string;
  progress: { pages_done: number; pages_total: number | null };
  options: Record<string, unknown>;
  file_name: string | null;
  result: Record<string, unknown> | null;
  usage: { input_tokens: number; output_tokens: number; cost: number };
  error: { code: string; message: string } | null;
  webhook_url: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const FINAL = new Set(['succeeded', 'failed', 'canceled']);

interface Received {
  fields: Record<string, unknown>;
  file: (StoredFile & { name: string | null; contentType: string }) | null;
}

/** Document jobs for a project: submission (upload, validation, queueing), reads, cancel, waits. */
@Injectable()
export class DocumentsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    @Inject(DOCUMENTS_TENANCY) private readonly tenancy: DocumentsTenancy,
    private readonly jobs: DocumentJobsRepository,
    private readonly templates: DocumentTemplatesRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    private readonly queues: DocumentQueues,
    private readonly events: DocumentJobEvents,
  ) {}

  async projectOf(principal: Principal, slug?: string | null): Promise<{ principal: KeyPrincipal; project: DocumentsProject }> {
    if (principal.kind !== 'key') throw invalidRequest('Document routes take an access key.');
    return { principal, project: await this.tenancy.projectFor(principal, slug) };
  }

  async parse(principal: Principal, slug: string | undefined, source: UploadSource, wait?: number): Promise<{ status: number; body: JobView }> {
    const { principal: key, project } = await this.projectOf(principal, slug);
    const id = newId();
    const received = await this.receive(project.id, id, source);
    const opts = parseOr400(parseOptionsSchema, received.fields);
    if (!received.file) throw invalidRequest('A file is required (multipart field "file", or "file" as base64 in JSON).', 'file');
    const stored = await this.jobOptions(project.id, opts, opts.model);
    await this.create(key, project, id, 'parse', stored, received, opts.webhook_url);
    return this.respond(project.id, id, wait);
  }

  async extract(principal: Principal, slug: string | undefined, source: UploadSource, wait?: number): Promise<{ status: number; body: JobView }> {
    const { principal: key, project } = await this.projectOf(principal, slug);
    const id = newId();
    const received = await this.receive(project.id, id, source);
    const opts = parseOr400(extractOptionsSchema, received.fields);
    const stored = await this.jobOptions(project.id, opts, opts.ocr_model);
    stored.extract = await this.extraction(project.id, opts);
    let sourceJobId: string | null = null;
    if (opts.document_id) {
      if (received.file) throw invalidRequest('Give either a file or document_id, not both.', 'document_id');
      const src = await this.jobs.findById(project.id, opts.document_id);
      if (!src) throw notFound(`Document job '${opts.document_id}' not found.`, 'job_not_found', 'document_id');
      if (src.status !== 'succeeded' || typeof src.result?.['markdown'] !== 'string') {
        throw invalidRequest('document_id must be a succeeded parse job.', 'document_id', 'document_not_ready');
      }
      sourceJobId = src.id;
    } else if (!received.file) {
      throw invalidRequest('A file or document_id is required.', 'file');
    }
    await this.create(key, project, id, 'extract', stored, received, opts.webhook_url, sourceJobId);
    return this.respond(project.id, id, wait);
  }

  /** Dynamiq `POST /v1/ocr/parse`: synchronous, `{"data":{"text": markdown}}`. */
  async ocrParse(principal: Principal, slug: string | undefined, source: UploadSource): Promise<{ data: { text: string } }> {
    const job = await this.syncRun(principal, slug, source, (fields) => {
      const o = parseOr400(dynamiqParseOptionsSchema, jsonField(fields['options'], 'options'), 'options.');
      if (o.stream) throw invalidRequest('stream is not supported; the answer is returned when the document is parsed.', 'options.stream');
      return { kind: 'parse', fields: { model: modelOfLlm(o.llm) } };
    });
    return { data: { text: String(job.result?.['markdown'] ?? '') } };
  }

  /** Dynamiq `POST /v1/ocr/extract`: synchronous, `{"data":{…}}`. */
  async ocrExtract(principal: Principal, slug: string | undefined, source: UploadSource): Promise<{ data: unknown }> {
    const job = await this.syncRun(principal, slug, source, (fields) => {
      const o = parseOr400(dynamiqExtractOptionsSchema, jsonField(fields['options'], 'options'), 'options.');
      if (o.stream) throw invalidRequest('stream is not supported; the answer is returned when the document is parsed.', 'options.stream');
      return { kind: 'extract', fields: { ocr_model: modelOfLlm(o.ocr_llm), model: modelOfLlm(o.structured_output_llm), template: o.template } };
    });
    return { data: job.result?.['data'] ?? null };
  }

  async get(principal: Principal, slug: string | undefined, id: string): Promise<JobView> {
    const { project } = await this.projectOf(principal, slug);
    return this.view(await this.requireJob(project.id, id));
  }

  async list(principal: Principal, slug: string | undefined, query: unknown): Promise<{ data: JobView[]; next_cursor: string | null }> {
    const { project } = await this.projectOf(principal, slug);
    const q = parseOr400(listJobsQuerySchema, query);
    let beforeId: string | undefined;
    if (q.cursor) {
      beforeId = Buffer.from(q.cursor, 'base64url').toString('utf8');
      if (!isUuid(beforeId)) throw invalidRequest('Invalid cursor.', 'cursor');
    }
    const rows = await this.jobs.list(project.id, { status: q.status, type: q.type, beforeId, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      data: page.map((r) => this.view(r)),
      next_cursor: rows.length > q.limit && last ? Buffer.from(last.id).toString('base64url') : null,
    };
  }

  async cancel(principal: Principal, slug: string | undefined, id: string): Promise<JobView> {
    const { project } = await this.projectOf(principal, slug);
    const job = await this.requireJob(project.id, id);
    if (FINAL.has(job.status)) throw conflict(`Job is already ${job.status}.`, 'job_finished');
    if (await this.jobs.finish(project.id, id, 'canceled', { error: { code: 'canceled', message: 'The job was canceled.' } })) {
      await this.events.publishFinished(id, 'canceled');
      await this.queues.discard(id, job.pages ?? []);
      if (job.webhookUrl) await this.queues.enqueueWebhook(id, project.id);
    }
    return this.view(await this.requireJob(project.id, id));
  }

  async deliveriesOf(principal: Principal, slug: string | undefined, id: string) {
    const { project } = await this.projectOf(principal, slug);
    await this.requireJob(project.id, id);
    const rows = await this.deliveries.list(project.id, id);
    return {
      data: rows.map((d) => ({
        id: d.id,
        attempt: d.attempt,
        url: d.url,
        status_code: d.statusCode,
        error: d.error,
        duration_ms: d.durationMs,
        created_at: d.createdAt.toISOString(),
      })),
    };
  }

  private async syncRun(
    principal: Principal,
    slug: string | undefined,
    source: UploadSource,
    translate: (fields: Record<string, unknown>) => { kind: 'parse' | 'extract'; fields: Record<string, unknown> },
  ): Promise<JobView> {
    const { principal: key, project } = await this.projectOf(principal, slug);
    const id = newId();
    const received = await this.receive(project.id, id, source);
    if (!received.file) throw invalidRequest('A file is required (multipart field "file").', 'file');
    const t = translate(received.fields);
    const fields = Object.fromEntries(Object.entries(t.fields).filter(([, v]) => v !== undefined));
    if (t.kind === 'parse') {
      const opts = parseOr400(parseOptionsSchema, fields);
      await this.create(key, project, id, 'parse', await this.jobOptions(project.id, opts, opts.model), received, undefined);
    } else {
      const opts = parseOr400(extractOptionsSchema, fields);
      const stored = await this.jobOptions(project.id, opts, opts.ocr_model);
      stored.extract = await this.extraction(project.id, opts);
      await this.create(key, project, id, 'extract', stored, received, undefined);
    }
    const job = await this.waitFor(project.id, id, this.config.documents.maxWaitSeconds);
    if (job.status === 'succeeded') return job;
    if (job.status === 'failed' || job.status === 'canceled') {
      const code = job.error?.code ?? 'internal_error';
      throw documentError(code, job.error?.message ?? 'The document could not be processed.', httpStatusOfCode(code));
    }
    throw documentError('timeout', `The document is still being processed; poll GET /v1/documents/jobs/${id}.`, 504);
  }

  private async respond(projectId: string, id: string, wait?: number): Promise<{ status: number; body: JobView }> {
    const seconds = Math.min(wait ?? 0, this.config.documents.maxWaitSeconds);
    const job = seconds > 0 ? await this.waitFor(projectId, id, seconds) : this.view(await this.requireJob(projectId, id));
    return { status: FINAL.has(job.status) ? 200 : 202, body: job };
  }

  /**
   * Waits until the job is final or `seconds` have passed: woken by the job's finish event (Redis
   * pub/sub), not by polling; the row is read before waiting and once more when woken.
   */
  private async waitFor(projectId: string, id: string, seconds: number): Promise<JobView> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const wake = this.events.arm(id);
      const job = await this.requireJob(projectId, id);
      if (FINAL.has(job.status) || Date.now() >= deadline) {
        wake.disarm();
        return this.view(job);
      }
      await wake.wait(deadline - Date.now());
    }
  }

  private async create(
    key: KeyPrincipal,
    project: DocumentsProject,
    id: string,
    type: 'parse' | 'extract',
    options: StoredJobOptions,
    received: Received,
    webhookUrl: string | undefined,
    sourceJobId: string | null = null,
  ): Promise<void> {
    if (webhookUrl) {
      try {
        await checkOutboundUrl(webhookUrl, this.config.documents.allowPrivateUrls);
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
      options: options as unknown as Record<string, unknown>,
      fileId: received.file?.id ?? null,
      fileName: received.file?.name ?? null,
      contentType: received.file?.contentType ?? null,
      sourceJobId,
      pages: null,
      pagesTotal: null,
      pagesDone: 0,
      result: null,
      usage: { input_tokens: 0, output_tokens: 0, cost: 0 },
      error: null,
      webhookUrl: webhookUrl ?? null,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
    });
    await this.jobs.insert(project.id, job);
    await this.queues.enqueuePrepare(id, project.id);
  }

  private async jobOptions(
    _projectId: string,
    opts: { model?: string; pages?: string; mode: 'auto' | 'ocr' | 'text'; dpi?: number; allow_partial: boolean },
    model: string | undefined,
  ): Promise<StoredJobOptions> {
    const d = this.config.documents;
    const dpi = opts.dpi ?? 150;
    if (dpi > d.maxDpi) throw invalidRequest(`dpi must be at most ${d.maxDpi}.`, 'dpi');
    if (opts.pages) {
      try {
        validatePageSpec(opts.pages);
      } catch (err) {
        throw fromDocumentError(err);
      }
    }
    return Promise.resolve({ model: model ?? d.ocrModel, pages: opts.pages ?? null, mode: opts.mode, dpi, allow_partial: opts.allow_partial });
  }

  private async extraction(projectId: string, opts: ExtractOptionsDto): Promise<NonNullable<StoredJobOptions['extract']>> {
    const given = [opts.schema, opts.template, opts.template_id].filter((v) => v !== undefined).length;
    if (given !== 1) throw invalidRequest('Give exactly one of schema, template or template_id.', 'schema');
    let schema: Record<string, unknown>;
    if (opts.template_id) {
      const t = await this.templates.findById(projectId, opts.template_id);
      if (!t) throw notFound(`Template '${opts.template_id}' not found.`, 'template_not_found', 'template_id');
      schema = t.schema;
    } else if (opts.template !== undefined) {
      schema = schemaFromTemplate(opts.template);
    } else {
      schema = opts.schema as Record<string, unknown>;
    }
    checkSchema(schema);
    const model = opts.model ?? this.config.documents.extractModel;
    if (!model) throw invalidRequest('model (the structured-output model) is required for extraction.', 'model');
    return { model, schema, retries: opts.max_retries ?? this.config.documents.extractRetries, template_id: opts.template_id ?? null };
  }

  /** Streams the file part into storage (sniffed and size-checked on the way) and collects the fields. */
  private async receive(projectId: string, jobId: string, source: UploadSource): Promise<Received> {
    const fields: Record<string, unknown> = {};
    let file: Received['file'] = null;
    const store = async (stream: AsyncIterable<Uint8Array>, name: string | null) => {
      if (file) throw invalidRequest('Send one file per request.', 'file');
      let kind: keyof typeof CONTENT_TYPES | null = null;
      try {
        const stored = await this.storage.write(projectId, stream, {
          jobId,
          kind: 'upload',
          contentType: 'application/octet-stream',
          maxBytes: this.config.documents.maxFileBytes,
          inspectHead: (head) => {
            kind = requireSupported(head);
            if (kind === 'png') checkPixels(pngDimensions(head), this.config.documents.maxPixels);
          },
        });
        file = { ...stored, name, contentType: CONTENT_TYPES[kind ?? requireSupported(stored.head)] };
      } catch (err) {
        if (err instanceof FileTooLargeError || (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          throw this.tooLarge();
        }
        throw fromDocumentError(err);
      }
    };
    if (source.kind === 'multipart') {
      try {
        for await (const part of source.parts as AsyncIterable<UploadPart>) {
          if (part.type === 'file') await store(part.stream, part.filename);
          // `options` is a JSON string: its keys become fields; the raw value stays for the Dynamiq routes.
          else if (part.name === 'options') Object.assign(fields, safeObject(part.value), { options: part.value });
          else fields[part.name] = part.value;
        }
      } catch (err) {
        if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw this.tooLarge();
        throw err;
      }
    } else {
      const body = source.body ?? {};
      const { file: b64, file_base64, filename, options, ...rest } = body as Record<string, unknown>;
      Object.assign(fields, rest, typeof options === 'object' && options ? options : {});
      if (options !== undefined) fields['options'] = options;
      const data = typeof b64 === 'string' ? b64 : typeof file_base64 === 'string' ? file_base64 : undefined;
      if (data !== undefined) {
        if (!/^[A-Za-z0-9+/=\s_-]*$/.test(data.slice(0, 1000))) throw invalidRequest('file must be base64.', 'file');
        await store(chunked(Buffer.from(data, 'base64')), typeof filename === 'string' ? filename : null);
      }
    }
    return { fields, file };
  }

  private tooLarge() {
    return documentError('file_too_large', `The file exceeds the limit of ${this.config.documents.maxFileBytes} bytes (DOCUMENTS_MAX_FILE_BYTES).`, 413);
  }

  private async requireJob(projectId: string, id: string): Promise<DocumentJobEntity> {
    const job = isUuid(id) ? await this.jobs.findById(projectId, id) : null;
    if (!job) throw notFound(`Document job '${id}' not found.`, 'job_not_found');
    return job;
  }

  private view(j: DocumentJobEntity): JobView {
    return {
      id: j.id,
      type: j.type,
      status: j.status,
      progress: { pages_done: j.pagesDone, pages_total: j.pagesTotal },
      options: publicOptions(j.options as unknown as StoredJobOptions),
      file_name: j.fileName,
      result: j.result,
      usage: j.usage,
      error: j.error,
      webhook_url: j.webhookUrl,
      created_at: j.createdAt.toISOString(),
      started_at: j.startedAt?.toISOString() ?? null,
      finished_at: j.finishedAt?.toISOString() ?? null,
    };
  }
}

function publicOptions(o: StoredJobOptions): Record<string, unknown> {
  return {
    model: o.model,
    pages: o.pages,
    mode: o.mode,
    dpi: o.dpi,
    allow_partial: o.allow_partial,
    ...(o.extract ? { extract: { model: o.extract.model, template_id: o.extract.template_id, max_retries: o.extract.retries } } : {}),
  };
}

export function schemaFromTemplate(template: unknown): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseTemplate(template);
  } catch {
    throw invalidRequest('template must be valid JSON.', 'template', 'invalid_template');
  }
  try {
    return templateToSchema(parsed);
  } catch (err) {
    throw fromDocumentError(err);
  }
}

export function checkSchema(schema: Record<string, unknown>): void {
  try {
    compileSchema(schema);
  } catch (err) {
    throw invalidRequest(`schema is not a valid JSON Schema: ${(err as Error).message}`, 'schema', 'invalid_schema');
  }
}

function safeObject(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    throw invalidRequest('options must be a JSON object string.', 'options');
  }
}

function jsonField(value: unknown, param: string): unknown {
  if (value === undefined) return {};
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw invalidRequest(`${param} must be a JSON string.`, param);
  }
}

async function* chunked(data: Buffer, size = 256 * 1024): AsyncIterable<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

