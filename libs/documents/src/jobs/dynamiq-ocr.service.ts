import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { invalidRequest, parseOr400, type Principal } from '@switchyard/types';
import { assembleMarkdown } from '../pipeline/document-pipeline.service';
import { httpStatusOfCode } from '../pipeline/document.exception';
import { documentError } from './document-errors';
import { DocumentJobsService } from './document-jobs.service';
import { dynamiqExtractOptionsSchema, dynamiqParseOptionsSchema, modelOfLlm, modelParams } from './dtos/job-options.dto';
import { refuseParamsForLocalOcr } from './job-options.service';
import { JobSubmissionService, type FieldsMapper, type JobType } from './job-submission.service';
import type { JobView } from './job-view.mapper';
import type { UploadSource } from './upload-source';

/** One Server-Sent Event of a streamed `/v1/ocr/*` answer: per-page progress, then the final result. */
export type DynamiqStreamEvent =
  | { event: 'progress'; data: { status: string; pages_done: number; pages_total: number | null } }
  | { event: 'result'; data: { data: unknown } };

/** A Dynamiq route's answer: the JSON body, or (with `options.stream: true`) the events to stream. */
export type DynamiqAnswer<T> = { stream: false; body: T } | { stream: true; events: AsyncIterable<DynamiqStreamEvent> };

/** How often a stream re-reads its job's progress while no finish event has woken it. */
const PROGRESS_POLL_SECONDS = 0.5;

/** Dynamiq's synchronous OCR routes: a job submitted and waited for (or followed as SSE), answered in Dynamiq's shapes. */
@Injectable()
export class DynamiqOcrService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly submissions: JobSubmissionService,
    private readonly jobs: DocumentJobsService,
  ) {}

  /** `POST /v1/ocr/parse` -> `{"data":{"text": markdown}}` (page markers only with `options.page_markers: true`). */
  async parse(principal: Principal, slug: string | undefined, source: UploadSource): Promise<DynamiqAnswer<{ data: { text: string } }>> {
    let stream = false;
    let markers = false;
    const submitted = await this.submit(principal, slug, 'parse', source, (fields) => {
      const o = parseOr400(dynamiqParseOptionsSchema, jsonField(fields['options'], 'options'), 'options');
      stream = o.stream === true;
      markers = o.page_markers === true;
      return { model: this.ocrModel(o.llm, 'options.llm'), model_params: modelParams(o.llm) };
    });
    return this.answer(submitted, stream, (job) => ({ data: { text: dynamiqText(job, markers) } }));
  }

  /** `POST /v1/ocr/extract` -> `{"data":{…}}`. */
  async extract(principal: Principal, slug: string | undefined, source: UploadSource): Promise<DynamiqAnswer<{ data: unknown }>> {
    let stream = false;
    const submitted = await this.submit(principal, slug, 'extract', source, (fields) => {
      const o = parseOr400(dynamiqExtractOptionsSchema, jsonField(fields['options'], 'options'), 'options');
      stream = o.stream === true;
      return {
        ocr_model: this.ocrModel(o.ocr_llm, 'options.ocr_llm'),
        ocr_model_params: modelParams(o.ocr_llm),
        model: modelOfLlm(o.structured_output_llm),
        model_params: modelParams(o.structured_output_llm),
        template: o.template,
      };
    });
    return this.answer(submitted, stream, (job) => ({ data: job.result?.['data'] ?? null }));
  }

  /** The OCR model of an `llm` object, after refusing its parameters (named under `field`) for local OCR. */
  private ocrModel(llm: Parameters<typeof modelOfLlm>[0], field: string): string | undefined {
    const model = modelOfLlm(llm);
    refuseParamsForLocalOcr(model ?? this.config.documents.ocrModel, modelParams(llm), field);
    return model;
  }

  private submit(principal: Principal, slug: string | undefined, type: JobType, source: UploadSource, options: FieldsMapper): Promise<{ projectId: string; id: string }> {
    const definedOptions: FieldsMapper = (fields) => Object.fromEntries(Object.entries(options(fields)).filter(([, v]) => v !== undefined));
    return this.submissions.submit(principal, slug, type, source, definedOptions);
  }

  private async answer<T>(job: { projectId: string; id: string }, stream: boolean, body: (job: JobView) => T): Promise<DynamiqAnswer<T>> {
    if (stream) return { stream: true, events: this.follow(job.projectId, job.id, body) };
    const done = await this.jobs.waitFor(job.projectId, job.id, this.config.documents.maxWaitSeconds);
    return { stream: false, body: body(succeeded(done)) };
  }

  /**
   * The job's progress whenever it changes, then its result; a failure (or the DOCUMENTS_MAX_WAIT_SECONDS
   * deadline) is thrown for the caller to send as an error event. Woken at once by the job's finish event.
   */
  private async *follow<T>(projectId: string, id: string, body: (job: JobView) => T): AsyncGenerator<DynamiqStreamEvent> {
    const deadline = Date.now() + this.config.documents.maxWaitSeconds * 1000;
    let last = '';
    for (;;) {
      const remaining = Math.max(0, (deadline - Date.now()) / 1000);
      const job = await this.jobs.waitFor(projectId, id, Math.min(PROGRESS_POLL_SECONDS, remaining));
      const progress = { status: job.status, pages_done: job.progress.pages_done, pages_total: job.progress.pages_total };
      const key = JSON.stringify(progress);
      if (key !== last) {
        last = key;
        yield { event: 'progress', data: progress };
      }
      if (isFinal(job.status) || remaining === 0) {
        yield { event: 'result', data: body(succeeded(job)) as { data: unknown } };
        return;
      }
    }
  }
}

const isFinal = (status: string): boolean => status === 'succeeded' || status === 'failed' || status === 'canceled';

/** The succeeded job, or its failure (or its still running after the wait) as an error. */
function succeeded(job: JobView): JobView {
  if (job.status === 'succeeded') return job;
  if (job.status === 'failed' || job.status === 'canceled') {
    const code = job.error?.code ?? 'internal_error';
    throw documentError(code, job.error?.message ?? 'The document could not be processed.', httpStatusOfCode(code));
  }
  throw documentError('timeout', `The document is still being processed; poll GET /v1/documents/jobs/${job.id}.`, 504);
}

/** The parse result as Dynamiq returns it: the pages' Markdown in order, page markers only when asked for. */
function dynamiqText(job: JobView, markers: boolean): string {
  if (markers) return String(job.result?.['markdown'] ?? '');
  const pages = job.result?.['pages'];
  return Array.isArray(pages) ? assembleMarkdown(pages as { page: number; markdown: string }[], false) : '';
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
