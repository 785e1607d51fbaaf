import type { ProjectSnapshot } from '@switchyard/auth';
import { customCostOf, logBodies, tokenUsageOf, type LogAttempt, type RequestLogRecord, type UsageRecord } from '@switchyard/metering';
import { GatewayError, newId, type ChatRequest, type JsonObject, type ProviderId } from '@switchyard/types';
import type { DlpResult } from '../dlp/dlp-policy';
import { DlpBlockedError } from '../dlp/dlp-stage';
import { routingOfFailure } from '../balance/route-trace';
import { ClientAbortedError, type EndpointRawResult, type ExecutionMeta, type StreamResult } from '../executor';
import { anthropicMessageAssembler, responsesBodyAssembler, SseDecoder, type NativeProtocol, type SseBodyAssembler } from '@switchyard/providers';
import type { Caller } from './gateway-client';
import type { LogMetrics } from './log-metrics';
import { refusedRequestControls, type HeaderMap, type RequestControls } from './request-controls';
import { StreamAssembler } from './stream-assembler';
import { newTraceContext, type SpanSink, type TraceContext } from '@switchyard/telemetry';
import { requestSpans } from '../spans/request-spans';

/** Where records go: the log appender (`LogAppender` of libs/metering), or a test's array. */
export interface LogSink {
  append(record: RequestLogRecord): void;
  /** Runs `then` once the records appended so far are on their way (written to the socket); absent: at once. */
  whenWritten?(then: () => void): void;
}

/**
 * The gateway's own spans (docs/router.md#opentelemetry): where they go, and which requests have them: `traced`, a
 * request that brought a trace context and every request of a project with `otel[]` targets; `all`, every request.
 */
export interface SpanPolicy {
  sink: SpanSink;
  mode: 'traced' | 'all';
}

/** What the latency metrics observe of a call (LogMetrics.timing). */
export interface CallTiming {
  durationMs: number;
  ttfbMs: number | null;
  attempts: readonly LogAttempt[];
  errorCode: string | null;
  cache: 'HIT' | 'MISS' | 'BYPASS' | undefined;
}

/** Where a call came in, for its record. */
export interface CallOrigin {
  requestId: string;
  /** The endpoint path, e.g. `/v1/chat/completions`. */
  path: string;
  /** The kind of call, e.g. `chat.completions`. */
  requestType: string;
  /** The document job the call is made for (documents worker). */
  documentJobId?: string | null;
}

/** How a call ended, as the client saw it. */
export interface CallOutcome {
  /** The status code sent (a stream that failed after its first byte: 200). */
  statusCode: number;
  /** The error code sent, else null. */
  errorCode: string | null;
  /** What the pipeline returned (any endpoint's result: its meta and usage are recorded). */
  result: { meta: ExecutionMeta; usage: UsageRecord | null } | null;
  /** A completion's JSON text as sent (streams: assembled from their chunks). */
  responseText?: string;
  /** What DLP found when it blocked the call (the result's meta carries it otherwise). */
  dlp?: DlpResult;
  /** The routing decision of a call that failed (the result's meta carries it otherwise). */
  routing?: JsonObject | null;
}

/** What the record reads of the request: the model asked for and whether it streams. */
export type LoggedRequest = Pick<ChatRequest, 'model' | 'stream'>;

export const LOG_ID_HEADERS = ['x-gateway-log-id', 'cf-aig-log-id'] as const;
const ABORTED = { status: 499, code: 'client_disconnected' };
const NO_TOKENS = tokenUsageOf(undefined);

/** Whether a request is recorded: the request's `x-gateway-collect-log` (or `disable_log`) over the project's `collect_logs`. */
export const isRecorded = (project: ProjectSnapshot, controls: RequestControls): boolean => controls.log.collect ?? project.settings.collect_logs;

/** Whether the request's data may be kept (its bodies logged, a conversation stored): not with the project's `zdr` or the request's `cf-aig-zdr`. */
export const retainsData = (project: ProjectSnapshot, controls: RequestControls): boolean => !project.settings.zdr && !controls.zdr;

/** Whether a record carries the bodies: never with `zdr` (the project's or the request's), else unless `x-gateway-collect-log-payload: false`. */
export const hasBodies = (project: ProjectSnapshot, controls: RequestControls): boolean => retainsData(project, controls) && controls.log.collectPayload;

/** The cost of a call: the request's custom cost over the catalog's price (null: unpriced, or no usage). */
export function callCost(usage: UsageRecord | null, controls: RequestControls): number | null {
  if (!usage) return null;
  const custom = controls.log.customCost;
  return custom ? customCostOf(usage.tokens, custom) : usage.cost;
}

/**
 * Stage 6, account, for one request: counts the call in the metrics and, when the request is recorded,
 * builds its log record once at the end (after the answer was sent, a stream ended or failed, or the client
 * left; failures too) and hands it to the sink, which appends it off the request path.
 */
export class RequestLogger {
  constructor(
    private readonly sink: LogSink,
    private readonly bodyMaxBytes: number,
    private readonly metrics: LogMetrics | null = null,
    private readonly spans: SpanPolicy | null = null,
  ) {}

  /** The trace a request's spans join, null when it has none (spans off, or not wanted for it: nothing is built). */
  traceOf(project: ProjectSnapshot, controls: RequestControls): TraceContext | null {
    if (!this.spans) return null;
    if (controls.trace) return controls.trace;
    return this.spans.mode === 'all' || project.settings.otel.length ? newTraceContext() : null;
  }

  /** @internal */
  emit(project: ProjectSnapshot, spans: ReturnType<typeof requestSpans>): void {
    this.spans?.sink.add(project.id, project.settings.otel, spans);
  }

  /** Starts the request's log; `body` is the request as received (serialized only if its body is recorded). */
  begin(origin: CallOrigin, call: Caller, project: ProjectSnapshot, request: LoggedRequest, controls: RequestControls, body: unknown): CallLog {
    return new CallLog(this, origin, call, project, request, controls, body);
  }

  /**
   * A request refused before the pipeline ran (its body or a header did not parse, `err`): counted, and recorded
   * (status and error code, without bodies) unless logs are off for it. `body`: what was parsed, if anything (its
   * `model` is recorded as the model requested).
   */
  refused(origin: CallOrigin, call: Caller, project: ProjectSnapshot, headers: HeaderMap, err: unknown, body?: unknown): CallLog {
    const model = (body as { model?: unknown } | undefined)?.model;
    const request = { model: typeof model === 'string' ? model : '', messages: [] } as unknown as ChatRequest;
    const log = new CallLog(this, origin, call, project, request, refusedRequestControls(headers), null);
    log.failed(err);
    return log;
  }

  /** Whether every request keeps its attempts (the metrics observe upstream latency from them). */
  get keepsAttempts(): boolean {
    return this.metrics !== null;
  }

  /** @internal */
  finish(log: CallLog, record: RequestLogRecord | null, model: string, provider: string, statusCode: number, usage: UsageRecord | null, cost: number | null, timing?: CallTiming): void {
    if (this.metrics) {
      this.metrics.call(log.project.id, model, provider, statusCode, usage?.tokens ?? NO_TOKENS, cost);
      if (timing) this.metrics.timing(provider, model, statusCode, timing);
    }
    if (record) this.sink.append(record);
  }

  /** @internal */
  whenWritten(then: () => void): void {
    if (this.sink.whenWritten) this.sink.whenWritten(then);
    else then();
  }

  /** @internal */
  bodies(requestText: string, responseText: string | null) {
    return logBodies(requestText, responseText, this.bodyMaxBytes);
  }
}

/** One request's log: what the edge tells it (first byte, the outcome) and what the executor adds (attempts). */
export class CallLog {
  /** The log id (UUIDv7), null when the request is not recorded (or `omit` said so). */
  id: string | null;
  /** The executor's attempts (the side channel of `Executor.execute`), only when recorded or traced. */
  readonly attempts: LogAttempt[] | undefined;
  /** The trace the request's spans join, null when it has no spans. */
  readonly trace: TraceContext | null;
  private readonly startedAt = Date.now();
  private readonly started = performance.now();
  private readonly withBodies: boolean;
  private ttfbMs: number | null = null;
  private assembler: StreamAssembler | null = null;
  private rawAssembler: SseBodyAssembler | null = null;
  private ended = false;
  /** Whether its record was appended (`end`): the answer's end then waits for its write (`whenRecorded`). */
  private appended = false;

  constructor(
    private readonly logger: RequestLogger,
    private readonly origin: CallOrigin,
    private readonly call: Caller,
    readonly project: ProjectSnapshot,
    private readonly request: LoggedRequest,
    readonly controls: RequestControls,
    private readonly body: unknown,
  ) {
    const recorded = isRecorded(project, controls);
    this.id = recorded ? newId() : null;
    this.trace = logger.traceOf(project, controls);
    this.attempts = recorded || this.trace || logger.keepsAttempts ? [] : undefined;
    this.withBodies = recorded && hasBodies(project, controls);
  }

  /** Not recorded after all: a cache hit with `cache_options.omit_log` (metrics still count it). */
  omit(): void {
    this.id = null;
  }

  /** Adds `x-gateway-log-id` and `cf-aig-log-id` to response headers (nothing when not recorded). */
  addHeaders(headers: Record<string, string>): void {
    if (this.id) for (const h of LOG_ID_HEADERS) headers[h] = this.id;
  }

  /** The first byte goes to the client now. */
  firstByte(): void {
    this.ttfbMs ??= performance.now() - this.started;
  }

  /** A stream whose chunks are assembled for the record's response body (the same stream when bodies are not recorded). */
  watch(result: StreamResult): StreamResult {
    if (!this.withBodies) return result;
    const assembler = (this.assembler = new StreamAssembler());
    assembler.push(result.head);
    const tail = result.tail;
    result.tail = (async function* () {
      for await (const batch of tail) {
        assembler.push(batch);
        yield batch;
      }
    })();
    return result;
  }

  /**
   * A passed-through event stream of a client protocol whose events are assembled (a Message, a Response) for the
   * record's response body; the same stream when bodies are not recorded or the body is not an event stream.
   */
  watchRaw(result: EndpointRawResult, protocol: NativeProtocol): EndpointRawResult {
    if (!this.withBodies || !result.contentType.startsWith('text/event-stream')) return result;
    const events = new SseDecoder();
    const into = (this.rawAssembler = PASSED_THROUGH_BODIES[protocol]());
    const body = result.body;
    result.body = (async function* () {
      for await (const chunk of body) {
        for (const e of events.push(chunk)) into.push(e);
        yield chunk;
      }
    })();
    return result;
  }

  /** The call failed before an answer (a thrown GatewayError, the client leaving, anything else: a 500). */
  failed(err: unknown): void {
    const e = err instanceof GatewayError ? { status: err.status, code: err.code } : err instanceof ClientAbortedError ? ABORTED : { status: 500, code: 'server_error' };
    // What the client got: the error body (none recorded when it left, or for an internal error).
    const responseText = err instanceof GatewayError ? JSON.stringify(err.toBody()) : undefined;
    this.end({ statusCode: e.status, errorCode: e.code, result: null, responseText, dlp: err instanceof DlpBlockedError ? err.dlp : undefined, routing: routingOfFailure(err) });
  }

  /** The call ended (once; later calls are ignored). */
  end(outcome: CallOutcome): void {
    if (this.ended) return;
    this.ended = true;
    const { result } = outcome;
    const usage = result?.usage ?? null;
    const cost = callCost(usage, this.controls);
    const model = result?.meta.model ?? 'none';
    const provider = result?.meta.provider ?? 'none';
    const timing: CallTiming = { durationMs: performance.now() - this.started, ttfbMs: this.ttfbMs, attempts: this.attempts ?? [], errorCode: outcome.errorCode, cache: result?.meta.cache };
    this.appended = this.id !== null;
    this.logger.finish(this, this.id ? this.record(outcome, usage, cost) : null, model, provider, outcome.statusCode, usage, cost, timing);
    if (this.trace) this.logger.emit(this.project, this.spans(this.trace, outcome, usage, cost));
  }

  /**
   * Runs `then` (the answer's last write) once the record is on its way to Redis (the appender writes a turn's first
   * record at once, the turn's others together at its end); at once when no record was appended (not recorded, or not
   * ended yet).
   */
  whenRecorded(then: () => void): void {
    if (this.appended) this.logger.whenWritten(then);
    else then();
  }

  /** `whenRecorded` as a promise (an error answer thrown after it). */
  recorded(): Promise<void> {
    return new Promise((resolve) => this.whenRecorded(resolve));
  }

  /** The request's spans, from what it recorded (docs/router.md#opentelemetry). */
  private spans(trace: TraceContext, outcome: CallOutcome, usage: UsageRecord | null, cost: number | null) {
    const result = outcome.result as (CallOutcome['result'] & { completion?: { choices?: { finish_reason?: string | null }[] } }) | null;
    const finishReasons: string[] = [];
    for (const c of result?.completion?.choices ?? []) if (c.finish_reason) finishReasons.push(c.finish_reason);
    const startMs = performance.timeOrigin + this.started;
    return requestSpans({
      trace,
      startMs,
      endMs: performance.timeOrigin + performance.now(),
      requestType: this.origin.requestType,
      path: this.origin.path,
      requestId: this.origin.requestId,
      projectId: this.project.id,
      modelRequested: this.request.model,
      stream: this.request.stream === true,
      meta: result?.meta ?? null,
      usage,
      cost,
      statusCode: outcome.statusCode,
      errorCode: outcome.errorCode,
      logId: this.id,
      attempts: this.attempts ?? [],
      finishReasons,
      documentJobId: this.origin.documentJobId,
    });
  }

  private record(outcome: CallOutcome, usage: UsageRecord | null, cost: number | null): RequestLogRecord {
    const { result, statusCode, errorCode } = outcome;
    const meta = result?.meta;
    const log = this.controls.log;
    return {
      id: this.id!,
      requestId: this.origin.requestId,
      eventId: log.eventId,
      createdAt: new Date(this.startedAt).toISOString(),
      organizationId: this.project.organizationId,
      projectId: this.project.id,
      keyId: this.call.keyId,
      customerIdentifier: log.customerIdentifier,
      threadIdentifier: log.threadIdentifier,
      customIdentifier: log.customIdentifier,
      documentJobId: this.origin.documentJobId ?? null,
      path: this.origin.path,
      requestType: this.origin.requestType,
      modelRequested: this.request.model,
      model: meta?.model ?? null,
      provider: (meta?.provider as ProviderId | undefined) ?? null,
      connectionId: meta?.connectionId ?? null,
      statusCode,
      success: errorCode === null && statusCode < 400,
      cached: meta?.cache === 'HIT',
      step: meta?.step ?? null,
      attempts: this.attempts ?? [],
      tokens: usage?.tokens ?? NO_TOKENS,
      cost,
      customCost: this.controls.log.customCost !== null && usage !== null,
      durationMs: round(performance.now() - this.started),
      ttfbMs: this.ttfbMs === null ? null : round(this.ttfbMs),
      stream: this.request.stream === true,
      metadata: log.metadata,
      routing: log.applied ? { ...(meta?.routing ?? outcome.routing), ...log.applied } : (meta?.routing ?? outcome.routing ?? null),
      errorCode,
      dlp: (meta?.dlp ?? outcome.dlp ?? null) as JsonObject | null,
      bodies: this.withBodies ? this.logger.bodies(JSON.stringify(meta?.redactLogged ? meta.redactLogged(this.body) : this.body), this.responseText(outcome)) : null,
    };
  }

  private responseText(outcome: CallOutcome): string | null {
    if (outcome.responseText !== undefined) return outcome.responseText;
    if (this.assembler) return JSON.stringify(this.assembler.completion());
    const passed = this.rawAssembler?.body();
    return passed ? JSON.stringify(passed) : null;
  }
}

/** How each client protocol's passed-through stream becomes the recorded answer. */
const PASSED_THROUGH_BODIES: Record<NativeProtocol, () => SseBodyAssembler> = { messages: anthropicMessageAssembler, responses: responsesBodyAssembler };

const round = (ms: number) => Math.round(ms * 1000) / 1000;
