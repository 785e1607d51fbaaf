import { createHash } from 'node:crypto';
import { msToNs, SpanKind, SpanStatus, type GatewaySpan, type SpanAttributeValue } from '@switchyard/telemetry';
import type { CallContext } from '@switchyard/types';

/**
 * The documents worker's spans (docs/documents.md#spans): one per job and one per page attempt, in a trace whose id
 * is the job's UUID, with ids derived from the job, so that every worker replica handling a page of the job, and the
 * model calls it makes (the gateway's request spans), land in the same tree without sharing any state.
 */
export interface DocumentTracer {
  /** Whether the job's project wants spans (its `otel[]` targets, or OTEL_GATEWAY_SPANS=all). */
  wants(ctx: CallContext): Promise<boolean>;
  emit(ctx: CallContext, spans: GatewaySpan[]): void;
}

export const DOCUMENT_TRACER = Symbol('DOCUMENT_TRACER');

/** A document job's trace id: its UUID's 32 hex digits. */
export const documentTraceId = (jobId: string): string => jobId.replace(/-/g, '').toLowerCase();

const derivedId = (seed: string): string => createHash('sha256').update(seed).digest('hex').slice(0, 16);

/** The job span's id (the root of the job's trace). */
export const jobSpanId = (jobId: string): string => derivedId(`document-job:${jobId}`);

/** One page attempt's span id. */
export const pageSpanId = (jobId: string, page: number, attempt: number): string => derivedId(`document-page:${jobId}:${page}:${attempt}`);

/** The trace context a call of the job makes its spans under (`parentSpanId`: the page's span, else the job's). */
export const callTrace = (jobId: string, parentSpanId: string): NonNullable<CallContext['trace']> => ({ traceId: documentTraceId(jobId), parentSpanId, flags: 1 });

export interface PageSpanInput {
  jobId: string;
  page: number;
  /** 1-based attempt (BullMQ's attemptsMade + 1). */
  attempt: number;
  startMs: number;
  endMs: number;
  method: string | null;
  error: string | null;
}

export function pageSpan(p: PageSpanInput): GatewaySpan {
  const attributes: Record<string, SpanAttributeValue> = { 'switchyard.document_job_id': p.jobId, 'switchyard.document_page': p.page, 'switchyard.attempt': p.attempt };
  if (p.method) attributes['switchyard.document_page_method'] = p.method;
  if (p.error) attributes['error.type'] = p.error;
  return {
    traceId: documentTraceId(p.jobId),
    spanId: pageSpanId(p.jobId, p.page, p.attempt),
    parentSpanId: jobSpanId(p.jobId),
    name: `document page ${p.page}`,
    kind: SpanKind.CONSUMER,
    startNs: msToNs(p.startMs),
    endNs: msToNs(p.endMs),
    status: p.error ? { code: SpanStatus.ERROR, message: p.error } : { code: SpanStatus.UNSET, message: '' },
    attributes,
    flags: 1,
  };
}

export interface JobSpanInput {
  jobId: string;
  type: string;
  /** When the job was accepted, and when it reached its final status (epoch ms). */
  startMs: number;
  endMs: number;
  status: 'succeeded' | 'failed' | 'canceled';
  pages: number | null;
  errorCode: string | null;
}

export function jobSpan(j: JobSpanInput): GatewaySpan {
  const attributes: Record<string, SpanAttributeValue> = { 'switchyard.document_job_id': j.jobId, 'switchyard.document_type': j.type, 'switchyard.document_status': j.status };
  if (j.pages !== null) attributes['switchyard.document_pages'] = j.pages;
  if (j.errorCode) attributes['error.type'] = j.errorCode;
  return {
    traceId: documentTraceId(j.jobId),
    spanId: jobSpanId(j.jobId),
    parentSpanId: null,
    name: `document ${j.type}`,
    kind: SpanKind.CONSUMER,
    startNs: msToNs(j.startMs),
    endNs: msToNs(Math.max(j.endMs, j.startMs)),
    status: j.status === 'failed' ? { code: SpanStatus.ERROR, message: j.errorCode ?? '' } : { code: SpanStatus.UNSET, message: '' },
    attributes,
    flags: 1,
  };
}
