import type { LogAttempt, UsageRecord } from '@switchyard/metering';
import { msToNs, newSpanId, SpanKind, SpanStatus, type GatewaySpan, type SpanAttributeValue, type TraceContext } from '@switchyard/telemetry';
import type { ExecutionMeta } from '../executor';

/** What a finished request recorded, read to build its spans. */
export interface RequestSpanInput {
  trace: TraceContext;
  /** Epoch milliseconds (fractional) of the request's start and end. */
  startMs: number;
  endMs: number;
  /** The kind of call (`chat.completions`, `embeddings`, …) and the endpoint path. */
  requestType: string;
  path: string;
  requestId: string;
  projectId: string;
  modelRequested: string;
  stream: boolean;
  meta: ExecutionMeta | null;
  usage: UsageRecord | null;
  cost: number | null;
  statusCode: number;
  errorCode: string | null;
  /** The log record's id, null when the request is not logged. */
  logId: string | null;
  attempts: readonly LogAttempt[];
  finishReasons: readonly string[];
  /** The document job the call is made for (documents worker). */
  documentJobId?: string | null;
}

/** `gen_ai.operation.name` of a kind of call (OpenTelemetry GenAI semantic conventions). */
export function operationName(requestType: string): string {
  switch (requestType) {
    case 'chat.completions':
    case 'messages':
    case 'responses':
      return 'chat';
    case 'completions':
      return 'text_completion';
    default:
      return requestType;
  }
}

/**
 * The gateway's spans of one request, built after it ended from what the pipeline recorded: a SERVER span for the
 * request (a child of the caller's span when it sent a trace context) and a CLIENT child per upstream attempt, with
 * the GenAI semantic conventions (`gen_ai.*`) and Switchyard's own attributes (`switchyard.*`: cost, cache status,
 * step, attempt, log id). Usage and cost sit on the request span only, so that a trace's totals count them once.
 */
export function requestSpans(input: RequestSpanInput): GatewaySpan[] {
  const { trace, meta, usage } = input;
  const operation = operationName(input.requestType);
  const requestSpanId = newSpanId();
  const failed = input.errorCode !== null || input.statusCode >= 500;
  const attrs: Record<string, SpanAttributeValue> = {
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': input.modelRequested,
    'http.request.method': 'POST',
    'http.route': input.path,
    'http.response.status_code': input.statusCode,
    'switchyard.project_id': input.projectId,
    'switchyard.request_id': input.requestId,
    'switchyard.stream': input.stream,
    'switchyard.attempts': input.attempts.length,
  };
  if (meta) {
    attrs['gen_ai.provider.name'] = meta.provider;
    attrs['gen_ai.response.model'] = meta.model;
    attrs['switchyard.step'] = meta.step;
    if (meta.cache) attrs['switchyard.cache_status'] = meta.cache;
  }
  if (usage) {
    attrs['gen_ai.usage.input_tokens'] = usage.tokens.input + usage.tokens.cacheRead + usage.tokens.cacheWrite;
    attrs['gen_ai.usage.output_tokens'] = usage.tokens.output + usage.tokens.reasoning;
  }
  if (input.cost !== null) attrs['gen_ai.usage.cost'] = input.cost;
  if (input.finishReasons.length) attrs['gen_ai.response.finish_reasons'] = input.finishReasons;
  if (input.logId) attrs['switchyard.log_id'] = input.logId;
  if (input.documentJobId) attrs['switchyard.document_job_id'] = input.documentJobId;
  if (input.errorCode) attrs['error.type'] = input.errorCode;
  const spans: GatewaySpan[] = [
    {
      traceId: trace.traceId,
      spanId: requestSpanId,
      parentSpanId: trace.parentSpanId,
      name: `${operation} ${input.modelRequested}`.trim(),
      kind: SpanKind.SERVER,
      startNs: msToNs(input.startMs),
      endNs: msToNs(input.endMs),
      status: failed ? { code: SpanStatus.ERROR, message: input.errorCode ?? '' } : { code: SpanStatus.UNSET, message: '' },
      attributes: attrs,
      flags: trace.flags,
    },
  ];
  input.attempts.forEach((a, i) => spans.push(attemptSpan(input, a, i + 1, requestSpanId, operation)));
  return spans;
}

function attemptSpan(input: RequestSpanInput, a: LogAttempt, n: number, parentSpanId: string, operation: string): GatewaySpan {
  // An attempt recorded without its start (an older record) ends where the request ends.
  const startMs = a.startMs ?? input.endMs - a.durationMs;
  const attributes: Record<string, SpanAttributeValue> = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': a.provider,
    'gen_ai.request.model': a.model,
    'switchyard.step': a.step,
    'switchyard.attempt': n,
    'switchyard.connection_id': a.connectionId,
  };
  if (a.status !== null) attributes['http.response.status_code'] = a.status;
  if (a.errorCode) attributes['error.type'] = a.errorCode;
  return {
    traceId: input.trace.traceId,
    spanId: newSpanId(),
    parentSpanId,
    name: `${operation} ${a.provider}/${a.model}`,
    kind: SpanKind.CLIENT,
    startNs: msToNs(startMs),
    endNs: msToNs(startMs + a.durationMs),
    status: a.errorCode ? { code: SpanStatus.ERROR, message: a.errorCode } : { code: SpanStatus.UNSET, message: '' },
    attributes,
    flags: input.trace.flags,
  };
}
