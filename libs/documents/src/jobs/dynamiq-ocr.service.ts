import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { invalidRequest, parseOr400, type Principal } from '@switchyard/types';
import { httpStatusOfCode } from '../pipeline/document.exception';
import { documentError } from './document-errors';
import { DocumentJobsService } from './document-jobs.service';
import { dynamiqExtractOptionsSchema, dynamiqParseOptionsSchema, modelOfLlm } from './dtos/job-options.dto';
import { JobSubmissionService, type FieldsMapper, type JobType } from './job-submission.service';
import type { JobView } from './job-view.mapper';
import type { UploadSource } from './upload-source';

/** Dynamiq's synchronous OCR routes: a job submitted and waited for, answered in Dynamiq's shapes. */
@Injectable()
export class DynamiqOcrService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly submissions: JobSubmissionService,
    private readonly jobs: DocumentJobsService,
  ) {}

  /** `POST /v1/ocr/parse` -> `{"data":{"text": markdown}}`. */
  async parse(principal: Principal, slug: string | undefined, source: UploadSource): Promise<{ data: { text: string } }> {
    const job = await this.run(principal, slug, 'parse', source, (fields) => {
      const o = parseOr400(dynamiqParseOptionsSchema, jsonField(fields['options'], 'options'), 'options.');
      refuseStream(o.stream);
      return { model: modelOfLlm(o.llm) };
    });
    return { data: { text: String(job.result?.['markdown'] ?? '') } };
  }

  /** `POST /v1/ocr/extract` -> `{"data":{…}}`. */
  async extract(principal: Principal, slug: string | undefined, source: UploadSource): Promise<{ data: unknown }> {
    const job = await this.run(principal, slug, 'extract', source, (fields) => {
      const o = parseOr400(dynamiqExtractOptionsSchema, jsonField(fields['options'], 'options'), 'options.');
      refuseStream(o.stream);
      return { ocr_model: modelOfLlm(o.ocr_llm), model: modelOfLlm(o.structured_output_llm), template: o.template };
    });
    return { data: job.result?.['data'] ?? null };
  }

  /** Submits the job and waits for it (up to DOCUMENTS_MAX_WAIT_SECONDS): the succeeded job, or its failure as an error. */
  private async run(principal: Principal, slug: string | undefined, type: JobType, source: UploadSource, options: FieldsMapper): Promise<JobView> {
    const definedOptions: FieldsMapper = (fields) => Object.fromEntries(Object.entries(options(fields)).filter(([, v]) => v !== undefined));
    const { projectId, id } = await this.submissions.submit(principal, slug, type, source, definedOptions);
    const job = await this.jobs.waitFor(projectId, id, this.config.documents.maxWaitSeconds);
    if (job.status === 'succeeded') return job;
    if (job.status === 'failed' || job.status === 'canceled') {
      const code = job.error?.code ?? 'internal_error';
      throw documentError(code, job.error?.message ?? 'The document could not be processed.', httpStatusOfCode(code));
    }
    throw documentError('timeout', `The document is still being processed; poll GET /v1/documents/jobs/${id}.`, 504);
  }
}

function refuseStream(stream: boolean | undefined): void {
  if (stream) throw invalidRequest('stream is not supported; the answer is returned when the document is parsed.', 'options.stream');
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
