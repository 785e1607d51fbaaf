import type { SpanRecord } from '@switchyard/persistence';
import { INGEST_ENQUEUE_SCRIPT, ingestQueueKeys } from '@switchyard/queue';
import { encodeOtlpExport, GATEWAY_SCOPE, type GatewaySpan, type OtelTarget, type SpanSink, type SpanSource } from '@switchyard/telemetry';
import { isPrivateAddressError } from '@switchyard/http';
import type { Redis } from 'ioredis';
import { request as undiciRequest, type Dispatcher } from 'undici';

export interface SpanExporterOptions {
  /** The Redis of the collector's ingest queue (the process's shared client is fine: one EVAL per project per flush). */
  redis: Redis;
  /** REDIS_PREFIX. */
  prefix: string;
  /** The collector's queue high-water mark (COLLECTOR_QUEUE_HIGH_WATER): a batch is dropped, not queued, above it. */
  highWater: number;
  source: SpanSource;
  /** The SSRF-guarded outbound agent for the projects' `otel[]` URLs. */
  dispatcher: Dispatcher;
  /** Spans held at most (what does not fit is dropped and counted). */
  maxBuffered: number;
  /** How often held spans are sent. */
  intervalMs: number;
  /** Per OTLP export request. */
  timeoutMs: number;
  /**
   * A failed export to a target (a network error, a 429 or 5xx answer) is sent again, at most `attempts` times in
   * all, after `baseMs`, 2x, 4x… (capped at `capMs`), off the request path; then its spans are dropped and counted.
   * A refused destination (private address) or another 4xx is not retried.
   */
  retry?: { attempts: number; baseMs: number; capMs: number };
  /**
   * The operator's OTLP/HTTP traces endpoint (OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`): every span the gateway
   * exports goes there too, through `operatorDispatcher` (the operator's URL may be private; default: undici's).
   */
  operatorTarget?: OtelTarget | null;
  operatorDispatcher?: Dispatcher;
  sleep?: (ms: number) => Promise<void>;
  /** Told how many spans were dropped and why. */
  onDrop?: (count: number, reason: 'buffer_full' | 'queue_full' | 'store_failed' | 'target_failed') => void;
  onError?: (err: unknown, where: string) => void;
}

interface Pending {
  projectId: string;
  targets: readonly OtelTarget[];
  spans: GatewaySpan[];
}

/**
 * The gateway's span exporter: requests hand it their finished spans (`add`, synchronous, no I/O); every
 * `intervalMs` (or sooner, when half the buffer is used) it sends them, off the request path, (a) to the project's
 * own traces in the collector, by appending them to the collector's ingest stream (the same durable queue and
 * writers as a client's OTLP export) and (b) to each `otel[]` target of the project as one OTLP/HTTP request per
 * target and flush, through the SSRF-guarded outbound agent. Bounded: what does not fit is dropped and counted.
 */
export class SpanExporter implements SpanSink {
  private pending: Pending[] = [];
  private held = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly keys: ReturnType<typeof ingestQueueKeys>;

  constructor(private readonly options: SpanExporterOptions) {
    this.keys = ingestQueueKeys(options.prefix);
  }

  /** Spans waiting to be sent. */
  get buffered(): number {
    return this.held;
  }

  add(projectId: string, targets: readonly OtelTarget[], spans: GatewaySpan[]): void {
    if (this.held + spans.length > this.options.maxBuffered) {
      this.options.onDrop?.(spans.length, 'buffer_full');
      return;
    }
    this.pending.push({ projectId, targets, spans });
    this.held += spans.length;
    if (this.held * 2 >= this.options.maxBuffered) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs).unref();
  }

  /** Sends what is held now (one flush at a time; a caller during a flush waits for it, then flushes again). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    this.held = 0;
    this.flushing = Promise.all([this.store(batch), this.export(batch)]).then(() => undefined);
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  /** Sends everything held (at shutdown). */
  close(): Promise<void> {
    return this.flush();
  }

  /** (a) The collector's trace store: one EVAL per project (the queue's atomic append with its high-water check). */
  private async store(batch: Pending[]): Promise<void> {
    const byProject = new Map<string, SpanRecord[]>();
    for (const p of batch) {
      let records = byProject.get(p.projectId);
      if (!records) byProject.set(p.projectId, (records = []));
      for (const s of p.spans) records.push(toSpanRecord(s, this.options.source));
    }
    await Promise.all(
      [...byProject].map(async ([projectId, records]) => {
        try {
          const id = await this.options.redis.eval(INGEST_ENQUEUE_SCRIPT, 2, this.keys.stream, this.keys.depth, String(this.options.highWater), projectId, 'spans', String(records.length), JSON.stringify(records));
          if (id === 0 || id === null) this.options.onDrop?.(records.length, 'queue_full');
        } catch (err) {
          this.options.onDrop?.(records.length, 'store_failed');
          this.options.onError?.(err, 'collector');
        }
      }),
    );
  }

  /** (b) The projects' `otel[]` targets: one OTLP/HTTP request per distinct target; and the operator's endpoint, every span. */
  private async export(batch: Pending[]): Promise<void> {
    const byTarget = new Map<string, { target: OtelTarget; spans: GatewaySpan[] }>();
    const operator = this.options.operatorTarget;
    const sends: Promise<void>[] = [];
    if (operator) sends.push(this.send(operator, batch.flatMap((p) => p.spans), this.options.operatorDispatcher));
    for (const p of batch) {
      for (const target of p.targets) {
        const key = JSON.stringify([target.url, target.authorization, target.headers, target.content_type ?? 'json']);
        const entry = byTarget.get(key);
        if (entry) entry.spans.push(...p.spans);
        else byTarget.set(key, { target, spans: [...p.spans] });
      }
    }
    for (const { target, spans } of byTarget.values()) sends.push(this.send(target, spans, this.options.dispatcher));
    await Promise.all(sends);
  }

  /** One OTLP export, retried with bounded backoff while it fails transiently (see `retry`); dropped and counted after the last attempt. */
  private async send(target: OtelTarget, spans: GatewaySpan[], dispatcher: Dispatcher | undefined): Promise<void> {
    const { body, contentType } = encodeOtlpExport(spans, this.options.source, target.content_type ?? 'json');
    const headers: Record<string, string> = { ...target.headers, 'content-type': contentType };
    if (target.authorization) headers['authorization'] = target.authorization;
    const { attempts, baseMs, capMs } = this.options.retry ?? DEFAULT_RETRY;
    for (let n = 1; ; n++) {
      let retryable: boolean;
      let error: unknown;
      try {
        const res = await undiciRequest(target.url, { method: 'POST', headers, body, dispatcher, signal: AbortSignal.timeout(this.options.timeoutMs) });
        await res.body.dump();
        if (res.statusCode < 300) return;
        retryable = res.statusCode === 429 || res.statusCode >= 500;
        error = new Error(`${new URL(target.url).host} answered ${res.statusCode}`);
      } catch (err) {
        retryable = !isPrivateAddressError(err);
        error = err;
      }
      if (!retryable || n >= attempts) {
        this.options.onDrop?.(spans.length, 'target_failed');
        this.options.onError?.(error, target === this.options.operatorTarget ? 'operator endpoint' : 'otel target');
        return;
      }
      await (this.options.sleep ?? sleep)(Math.min(capMs, baseMs * 2 ** (n - 1)));
    }
  }
}

const DEFAULT_RETRY = { attempts: 3, baseMs: 250, capMs: 2000 };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** A gateway span as the collector's ingest stream carries it (the `spans` table's columns). */
export function toSpanRecord(s: GatewaySpan, source: SpanSource): SpanRecord {
  const a = s.attributes;
  const num = (k: string) => (typeof a[k] === 'number' ? (a[k] as number) : null);
  const str = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : null);
  return {
    trace_id: s.traceId,
    span_id: s.spanId,
    parent_span_id: s.parentSpanId,
    name: s.name,
    kind: s.kind,
    service_name: source.serviceName,
    start_ns: s.startNs.toString(),
    end_ns: s.endNs.toString(),
    status_code: s.status.code,
    status_message: s.status.message || null,
    attributes: a as SpanRecord['attributes'],
    resource: { 'service.name': source.serviceName },
    scope: { name: GATEWAY_SCOPE, version: null, attributes: {} },
    events: [],
    links: [],
    trace_state: null,
    flags: s.flags,
    gen_ai_model: str('gen_ai.request.model') ?? str('gen_ai.response.model'),
    gen_ai_provider: str('gen_ai.provider.name'),
    input_tokens: num('gen_ai.usage.input_tokens'),
    output_tokens: num('gen_ai.usage.output_tokens'),
    cost: num('gen_ai.usage.cost'),
  };
}
