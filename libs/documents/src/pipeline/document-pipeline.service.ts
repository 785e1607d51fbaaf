import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import {
  DOCUMENT_STORAGE,
  DocumentJobsRepository,
  DocumentPageEntity,
  type DocumentJobEntity,
  type DocumentStorage,
  type DocumentUsage,
  type PageDecision,
  type PageMethod,
} from '@switchyard/persistence';
import { DocumentQueues, type DocumentFinalizePayload, type DocumentPagePayload, type DocumentPreparePayload } from '@switchyard/queue';
import type { CallContext } from '@switchyard/types';
import { CHAT_CALLER, ChatCallError, type ChatCaller } from '../engines/chat-caller';
import { extractStructured } from '../extraction/extractor';
import type { StoredJobOptions } from '../jobs/document-options';
import { DocumentError, type DocumentErrorCode } from './document.exception';
import { imageDimensions, normalizeImage } from './image-normalizer';
import { parsePageRange } from './page-range';
import { choosePageMethod } from './page-method';
import { checkPixels } from './sniff';
import { OcrEngines } from '../engines/ocr-engines';
import { isLocalOcrModel } from '../engines/ocr-engine';
import { PageRenderer } from './page-renderer';
import { TEXT_PAGES_PER_JOB } from './page-task';
import type { PageText } from './pdf-document';
import { InFlightCalls } from './in-flight-calls.service';
import { DocumentJobEvents, type FinalJobStatus } from '../jobs/job-events';
import { callTrace, DOCUMENT_TRACER, jobSpan, jobSpanId, pageSpan, pageSpanId, type DocumentTracer } from './document-spans';

const ctxOf = (job: DocumentJobEntity, trace?: CallContext['trace']): CallContext => ({
  organizationId: job.organizationId,
  projectId: job.projectId,
  keyId: job.keyId,
  documentJobId: job.id,
  ...(trace ? { trace } : {}),
});
const nowMs = () => performance.timeOrigin + performance.now();
const optionsOf = (job: DocumentJobEntity) => job.options as unknown as StoredJobOptions;
/** `mode: text` on a PDF: page jobs of TEXT_PAGES_PER_JOB pages, their text layers read in one task per text thread. */
const inTextBatches = (job: DocumentJobEntity) => optionsOf(job).mode === 'text' && job.contentType === 'application/pdf';
const isFinalAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

/**
 * The steps of the documents pipeline (prepare, page, finalize); the BullMQ processors (processors.ts)
 * are thin adapters over these. Webhooks and retention have their own services.
 */
@Injectable()
export class DocumentPipeline {
  private readonly logger = new Logger('DocumentPipeline');
  private readonly pdfs: PageRenderer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly jobs: DocumentJobsRepository,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
    private readonly queues: DocumentQueues,
    private readonly engines: OcrEngines,
    @Inject(CHAT_CALLER) private readonly caller: ChatCaller,
    private readonly events: DocumentJobEvents,
    private readonly inFlight: InFlightCalls,
    @Optional() @Inject(DOCUMENT_TRACER) private readonly tracer: DocumentTracer | null = null,
  ) {
    this.pdfs = new PageRenderer(config.documents.renderThreads);
  }

  /**
   * Starts the render and text threads and has each text thread read DOCUMENTS_RENDER_WARMUP_PAGES pages of a built-in PDF: the worker
   * does this at boot, so that its first documents do not pay for the threads' start and JIT warm-up. Resolves with
   * the pages read.
   */
  warmUp(): Promise<number> {
    return this.pdfs.start(this.config.documents.renderWarmupPages);
  }

  /** Whether the job's spans are wanted (docs/documents.md#spans); a lookup failure only loses its spans. */
  private traced(job: DocumentJobEntity): Promise<boolean> {
    return this.tracer ? this.tracer.wants(ctxOf(job)).catch(() => false) : Promise.resolve(false);
  }

  /** Opens the document, checks its limits, selects pages and fans out one child job per page. */
  async prepare(p: DocumentPreparePayload, bull: Job): Promise<void> {
    const job = await this.jobs.findById(p.projectId, p.jobId);
    if (!job || (job.status !== 'queued' && job.status !== 'running')) return;
    const opts = optionsOf(job);
    try {
      if (!job.fileId) {
        // Extraction from a finished parse: nothing to render.
        await this.jobs.markRunning(p.projectId, p.jobId, []);
        await this.queues.enqueueFinalize(p.jobId, p.projectId);
        return;
      }
      const d = this.config.documents;
      let pages: number[];
      if (job.contentType === 'application/pdf') {
        // Parsed in a render thread, which keeps it for the OCR and `auto` page jobs it gets next (`mode: text` pages go to the text threads).
        const fileId = job.fileId;
        const load = () => this.storage.readAll(p.projectId, fileId);
        pages = parsePageRange(opts.pages, await this.pdfs.run(fileId, load, { op: 'count' }));
        if (pages.length > d.maxPages) {
          throw new DocumentError('too_many_pages', `The selection has ${pages.length} pages; the limit is ${d.maxPages} (DOCUMENTS_MAX_PAGES).`);
        }
        for (const size of await this.pdfs.run(fileId, load, { op: 'sizes', dpi: opts.dpi, pages })) checkPixels(size, d.maxPixels);
      } else {
        const data = await this.storage.readAll(p.projectId, job.fileId);
        checkPixels(await imageDimensions(data), d.maxPixels);
        pages = parsePageRange(opts.pages, 1);
      }
      if (!(await this.jobs.markRunning(p.projectId, p.jobId, pages))) return;
      // Text-layer pages are cheap next to a queue job's own cost: several per job. OCR pages stay one per job,
      // spread over every worker.
      const perJob = inTextBatches(job) ? TEXT_PAGES_PER_JOB : 1;
      await this.queues.enqueuePages(
        p.jobId,
        p.projectId,
        pages.map((page, index) => ({ page, index })),
        opts.allow_partial,
        perJob,
      );
    } catch (err) {
      if (err instanceof DocumentError) return this.fail(job, err.code, err.message);
      if (isFinalAttempt(bull)) await this.fail(job, 'internal_error', 'The document could not be prepared.');
      throw err;
    }
  }

  /**
   * One page (or a batch of text-layer pages): text layer or OCR, each page recorded once. Provider errors
   * are retried by BullMQ with backoff; a retried batch skips its recorded pages.
   */
  async page(p: DocumentPagePayload, bull: Job): Promise<void> {
    // Tracked before the status is read: a cancel published after this read still reaches the call.
    const call = this.inFlight.track(p.jobId, p.projectId);
    try {
      await this.runPages(p, bull, call.signal);
    } finally {
      call.release();
    }
  }

  private async runPages(p: DocumentPagePayload, bull: Job, signal: AbortSignal): Promise<void> {
    const all = p.batch ?? [{ page: p.page, index: p.index }];
    const found = await this.jobs.findWithRecordedPages(p.projectId, p.jobId, all.map((s) => s.page));
    if (!found || found.job.status !== 'running') return;
    const { job, recorded } = found;
    const opts = optionsOf(job);
    // A re-delivered page job skips the pages it recorded before.
    const specs = all.filter((s) => !recorded.has(s.page));
    // The batch's text layers in one task per text thread rather than one per page.
    const fileId = job.fileId as string;
    const texts = inTextBatches(job) ? this.pdfs.texts(fileId, () => this.storage.readAll(job.projectId, fileId), specs.map((s) => s.page)) : [];
    const outcomes = await Promise.allSettled(specs.map((spec, i) => this.runPage(job, spec, bull, signal, texts[i])));
    const i = outcomes.findIndex((o) => o.status === 'rejected');
    if (i < 0) return;
    const err = (outcomes[i] as PromiseRejectedResult).reason as unknown;
    // The job was canceled or failed meanwhile: nothing to record, nothing to retry.
    if (signal.aborted) return;
    const permanent = (err instanceof DocumentError && err.permanent) || (err instanceof ChatCallError && !err.retryable);
    if ((permanent || isFinalAttempt(bull)) && !opts.allow_partial) {
      const code: DocumentErrorCode = err instanceof DocumentError ? err.code : err instanceof ChatCallError ? 'model_error' : 'page_failed';
      await this.fail(job, code, `Page ${specs[i]!.page} failed: ${(err as Error).message}`);
    }
    if (permanent) throw new UnrecoverableError((err as Error).message);
    throw err;
  }

  private async runPage(
    job: DocumentJobEntity,
    spec: { page: number; index: number },
    bull: Job,
    signal: AbortSignal,
    text: Promise<PageText> | undefined,
  ): Promise<void> {
    const opts = optionsOf(job);
    const attempt = bull.attemptsMade + 1;
    const span = (await this.traced(job)) ? { startMs: nowMs(), method: null as string | null, error: null as string | null } : null;
    try {
      const trace = span ? callTrace(job.id, pageSpanId(job.id, spec.page, attempt)) : undefined;
      const result = await this.transcribePage(job, opts, { page: spec.page, text }, signal, bull.attemptsMade > 0, trace);
      if (span) span.method = result.method;
      const row = Object.assign(new DocumentPageEntity(), {
        jobId: job.id,
        page: spec.page,
        index: spec.index,
        markdown: result.markdown,
        method: result.method,
        decision: result.decision,
        model: result.method === 'ocr' ? opts.model : null,
        inputTokens: result.inputTokens,
        outputTokens: result.outputTokens,
        cost: result.cost,
        attempts: attempt,
      });
      await this.jobs.savePage(job.projectId, row);
    } catch (err) {
      if (span) span.error = err instanceof DocumentError ? err.code : err instanceof ChatCallError ? 'model_error' : 'page_failed';
      throw err;
    } finally {
      if (span) this.tracer!.emit(ctxOf(job), [pageSpan({ jobId: job.id, page: spec.page, attempt, startMs: span.startMs, endMs: nowMs(), method: span.method, error: span.error })]);
    }
  }

  /** Assembles the pages in order (and runs extraction for extract jobs); the flow parent. */
  async finalize(p: DocumentFinalizePayload, bull: Job): Promise<void> {
    const call = this.inFlight.track(p.jobId, p.projectId);
    try {
      await this.runFinalize(p, bull, call.signal);
    } finally {
      call.release();
    }
  }

  private async runFinalize(p: DocumentFinalizePayload, bull: Job, signal: AbortSignal): Promise<void> {
    const job = await this.jobs.findById(p.projectId, p.jobId);
    if (!job || job.status !== 'running') return;
    const opts = optionsOf(job);
    try {
      const usage: DocumentUsage = { input_tokens: 0, output_tokens: 0, cost: 0 };
      let markdown: string;
      let parse: Record<string, unknown> | null = null;
      if (job.fileId) {
        const rows = await this.jobs.pages(p.projectId, p.jobId);
        const done = new Set(rows.map((r) => r.page));
        const missing = (job.pages ?? []).filter((pg) => !done.has(pg));
        if (missing.length && !opts.allow_partial) {
          return this.fail(job, 'page_failed', `Pages ${missing.join(', ')} could not be transcribed.`);
        }
        for (const r of rows) {
          usage.input_tokens += r.inputTokens;
          usage.output_tokens += r.outputTokens;
          usage.cost += r.cost;
        }
        markdown = assembleMarkdown(rows);
        parse = {
          markdown,
          pages: rows.map((r) => ({
            index: r.index,
            page: r.page,
            markdown: r.markdown,
            method: r.method,
            ...(r.decision ? { decision: r.decision } : {}),
            usage: { input_tokens: r.inputTokens, output_tokens: r.outputTokens, cost: r.cost },
          })),
          ...(missing.length ? { missing_pages: missing } : {}),
        };
      } else {
        const source = job.sourceJobId ? await this.jobs.findById(p.projectId, job.sourceJobId) : null;
        const md = source?.result?.['markdown'];
        if (typeof md !== 'string') return this.fail(job, 'internal_error', 'The source parse job has no Markdown result.');
        markdown = md;
      }
      let result: Record<string, unknown> = parse ?? {};
      if (job.type === 'extract' && opts.extract) {
        const trace = (await this.traced(job)) ? callTrace(job.id, jobSpanId(job.id)) : undefined;
        const out = await extractStructured(this.caller, ctxOf(job, trace), {
          model: opts.extract.model,
          params: opts.extract.model_params,
          markdown,
          schema: opts.extract.schema,
          retries: opts.extract.retries,
          signal,
        });
        usage.input_tokens += out.usage.input_tokens;
        usage.output_tokens += out.usage.output_tokens;
        usage.cost += out.usage.cost;
        result = { data: out.data, valid: out.valid, attempts: out.attempts, ...(out.errors ? { errors: out.errors } : {}), ...(parse ? { markdown } : {}) };
      }
      usage.cost = Math.round(usage.cost * 1e8) / 1e8;
      if (await this.jobs.finish(p.projectId, p.jobId, 'succeeded', { result, usage })) await this.finished(job, 'succeeded');
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ChatCallError && !err.retryable) return this.fail(job, 'model_error', err.message);
      if (err instanceof DocumentError) return this.fail(job, err.code, err.message);
      if (isFinalAttempt(bull)) await this.fail(job, err instanceof ChatCallError ? 'model_error' : 'internal_error', (err as Error).message);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.pdfs.close();
  }

  private async transcribePage(
    job: DocumentJobEntity,
    opts: StoredJobOptions,
    { page, text: read }: { page: number; text?: Promise<PageText> },
    signal: AbortSignal,
    retry: boolean,
    trace: CallContext['trace'],
  ): Promise<{ markdown: string; method: PageMethod; decision: PageDecision; inputTokens: number; outputTokens: number; cost: number }> {
    const d = this.config.documents;
    const fileId = job.fileId as string;
    const isPdf = job.contentType === 'application/pdf';
    const load = () => this.storage.readAll(job.projectId, fileId);
    let markdown = '';
    let choice = choosePageMethod({ mode: opts.mode, isPdf, minChars: d.textMinChars });
    if (isPdf && opts.mode !== 'ocr') {
      const text = await (read ?? this.pdfs.run(fileId, load, { op: 'text', page, graphics: opts.mode === 'auto' }));
      markdown = text.markdown;
      choice = choosePageMethod({ mode: opts.mode, isPdf, minChars: d.textMinChars, textChars: text.chars, imageCoverage: text.graphics?.imageFraction });
    }
    if (choice.method === 'text') return { markdown, method: 'text', decision: choice.decision, inputTokens: 0, outputTokens: 0, cost: 0 };
    const engine = this.engines.forModel(opts.model, opts.model_params);
    // A vision model reads at most about DOCUMENTS_VISION_MAX_SIDE pixels (it downsizes larger images itself):
    // the page is rendered no larger. Tesseract reads the full DOCUMENTS_IMAGE_MAX_SIDE.
    const maxSide = isLocalOcrModel(opts.model) ? d.imageMaxSide : d.visionMaxSide;
    const { image, stored } = await this.pageImage(job, page, { format: engine.imageFormat, maxSide }, isPdf, opts.dpi, retry);
    try {
      const t = await engine.transcribe(ctxOf(job, trace), image, { number: page, signal });
      return { ...t, method: 'ocr', decision: choice.decision };
    } catch (err) {
      // Kept for the retry (not on success: one storage write less per page).
      if (!stored && !signal.aborted) await this.storeImage(job, page, image).catch(() => undefined);
      throw err;
    }
  }

  /** The normalized page image: on a retry the one stored by the failed attempt, else rendered (PDF) or decoded (image). */
  private async pageImage(job: DocumentJobEntity, page: number, want: { format: 'png' | 'jpeg'; maxSide: number }, isPdf: boolean, dpi: number, retry: boolean) {
    const d = this.config.documents;
    const { format, maxSide } = want;
    const fileId = job.fileId as string;
    const stored = retry ? await this.storage.findPage(job.projectId, job.id, page) : null;
    if (stored && stored.contentType === `image/${format}`) {
      const data = await this.storage.readAll(job.projectId, stored.id);
      const dim = await imageDimensions(data);
      return { image: { data, mime: stored.contentType as 'image/png' | 'image/jpeg', ...dim }, stored: true };
    }
    const limits = { maxSide, maxPixels: d.maxPixels, format };
    const image = isPdf
      ? await this.pdfs.run(fileId, () => this.storage.readAll(job.projectId, fileId), { op: 'image', page, dpi, ...limits })
      : await normalizeImage(await this.storage.readAll(job.projectId, fileId), limits);
    return { image, stored: false };
  }

  private async storeImage(job: DocumentJobEntity, page: number, image: { data: Buffer; mime: string }): Promise<void> {
    await this.storage.write(job.projectId, oneChunk(image.data), {
      jobId: job.id,
      kind: 'page',
      page,
      contentType: image.mime,
      maxBytes: Number.MAX_SAFE_INTEGER,
    });
  }

  private async fail(job: DocumentJobEntity, code: DocumentErrorCode, message: string): Promise<void> {
    if (await this.jobs.finish(job.projectId, job.id, 'failed', { error: { code, message } })) {
      this.logger.warn(`document job ${job.id} failed: ${code}: ${message}`);
      await this.finished(job, 'failed', code);
    }
  }

  /** After the final status is written: tell waiting requests and other workers, then the webhook. */
  private async finished(job: DocumentJobEntity, status: FinalJobStatus, errorCode: string | null = null): Promise<void> {
    if (await this.traced(job)) {
      const pages = job.pages?.length ?? null;
      this.tracer!.emit(ctxOf(job), [jobSpan({ jobId: job.id, type: job.type, startMs: job.createdAt.getTime(), endMs: nowMs(), status, pages, errorCode })]);
    }
    await this.events.publishFinished(job.id, status);
    if (job.webhookUrl) await this.queues.enqueueWebhook(job.id, job.projectId);
  }
}

async function* oneChunk(data: Buffer): AsyncIterable<Buffer> {
  yield data;
}

/** Pages in order, each preceded by a page marker comment; without markers, blank pages leave no gap. */
export function assembleMarkdown(pages: { page: number; markdown: string }[], markers = true): string {
  if (!markers) return pages.map((p) => p.markdown.trim()).filter(Boolean).join('\n\n');
  return pages.map((p) => `<!-- page ${p.page} -->\n\n${p.markdown}`.trimEnd()).join('\n\n');
}
