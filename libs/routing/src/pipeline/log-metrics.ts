import type { TokenUsage } from '@switchyard/metering';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CallTiming } from './request-logger';

/** Latency buckets in seconds: the gateway's own time is sub-millisecond, an upstream call up to minutes. */
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

interface TimingChildren {
  total: Map<number, { observe(v: number): void }>;
  upstream: Map<string, { observe(v: number): void }>;
  ttfb: { observe(v: number): void };
  overhead: { observe(v: number): void };
}

type CallLabels = 'project' | 'model' | 'provider';
const BUCKETS = ['input', 'cacheRead', 'cacheWrite', 'reasoning', 'output'] as const satisfies readonly (keyof TokenUsage)[];

interface CallCounters {
  requests: Map<number, { inc(): void }>;
  tokens: { inc(value: number): void }[];
  cost: { inc(value: number): void };
  labels: Record<CallLabels, string>;
}

/**
 * The Prometheus side of the accounting stage: requests, tokens and cost by project, model and provider
 * (counted whether or not the request is logged), and the log appender's buffered and dropped records.
 */
export class LogMetrics {
  private readonly requests: Counter<CallLabels | 'status'>;
  private readonly tokens: Counter<CallLabels | 'bucket'>;
  private readonly cost: Counter<CallLabels>;
  private readonly dropped: Counter;
  private readonly spansDropped: Counter<'reason'>;
  private readonly duration: Histogram<'provider' | 'model' | 'status'>;
  private readonly upstream: Histogram<'provider' | 'model' | 'status'>;
  private readonly ttfb: Histogram<'provider' | 'model'>;
  private readonly overhead: Histogram<'provider' | 'model'>;
  private readonly cacheLookups: Counter<'result'>;
  private readonly limitRefusals: Counter<'code'>;
  /** Label children by provider and model, so that observing a call hashes no labels. */
  private readonly timings = new Map<string, TimingChildren>();
  private buffered: () => number = () => 0;
  private spansBuffered: () => number = () => 0;
  /** The label children of each project/model/provider, so that counting a call hashes no labels. */
  private readonly children = new Map<string, CallCounters>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({ name: 'gateway_requests_total', help: 'LLM calls through the pipeline', labelNames: ['project', 'model', 'provider', 'status'], registers });
    this.tokens = new Counter({ name: 'gateway_tokens_total', help: 'Tokens of LLM calls by bucket', labelNames: ['project', 'model', 'provider', 'bucket'], registers });
    this.cost = new Counter({ name: 'gateway_cost_usd_total', help: 'Cost of LLM calls in USD (priced calls only)', labelNames: ['project', 'model', 'provider'], registers });
    this.dropped = new Counter({ name: 'gateway_log_records_dropped_total', help: 'Request log records dropped because the buffer was full (Redis unreachable)', registers });
    const labelNames = ['provider', 'model', 'status'] as const;
    this.duration = new Histogram({ name: 'gateway_request_duration_seconds', help: 'Total time of an LLM call through the gateway, until its last byte', labelNames, buckets: LATENCY_BUCKETS, registers });
    this.upstream = new Histogram({ name: 'gateway_upstream_duration_seconds', help: 'Time of one upstream attempt (status: the upstream status, or "error" when none came)', labelNames, buckets: LATENCY_BUCKETS, registers });
    this.ttfb = new Histogram({ name: 'gateway_ttfb_seconds', help: 'Time to the first byte sent to the client', labelNames: ['provider', 'model'], buckets: LATENCY_BUCKETS, registers });
    this.overhead = new Histogram({
      name: 'gateway_overhead_seconds',
      help: "The gateway's own time before the first byte: time to first byte minus the upstream attempts (retry backoff included)",
      labelNames: ['provider', 'model'],
      buckets: OVERHEAD_BUCKETS,
      registers,
    });
    this.cacheLookups = new Counter({ name: 'gateway_cache_lookups_total', help: 'Exact-cache lookups by result (HIT, MISS, BYPASS)', labelNames: ['result'], registers });
    this.limitRefusals = new Counter({ name: 'gateway_limit_refusals_total', help: 'Calls refused by a rate limit, budget or quota (429 before any upstream attempt), by error code', labelNames: ['code'], registers });
    this.spansDropped = new Counter({ name: 'gateway_spans_dropped_total', help: "The gateway's own spans dropped, by reason", labelNames: ['reason'], registers });
    const spans: Gauge = new Gauge({
      name: 'gateway_spans_buffered',
      help: "The gateway's own spans waiting to be exported",
      registers,
      collect: () => spans.set(this.spansBuffered()),
    });
    const gauge: Gauge = new Gauge({
      name: 'gateway_log_records_buffered',
      help: 'Request log records waiting to be appended to the log stream',
      registers,
      collect: () => gauge.set(this.buffered()),
    });
  }

  /** Where the buffered-records gauge reads from (the log appender). */
  trackBuffer(buffered: () => number): void {
    this.buffered = buffered;
  }

  /** Counts one call (model and provider: what answered, or `none`). */
  call(project: string, model: string, provider: string, status: number, tokens: TokenUsage, cost: number | null): void {
    const key = `${project}\u0000${model}\u0000${provider}`;
    let c = this.children.get(key);
    if (!c) {
      c = {
        requests: new Map(),
        tokens: BUCKETS.map((bucket) => this.tokens.labels({ project, model, provider, bucket })),
        cost: this.cost.labels({ project, model, provider }),
        labels: { project, model, provider },
      };
      this.children.set(key, c);
    }
    let requests = c.requests.get(status);
    if (!requests) c.requests.set(status, (requests = this.requests.labels({ ...c.labels, status: String(status) })));
    requests.inc();
    for (let i = 0; i < BUCKETS.length; i += 1) {
      const n = tokens[BUCKETS[i]!];
      if (n) c.tokens[i]!.inc(n);
    }
    if (cost) c.cost.inc(cost);
  }

  /** Observes a call's latencies: total, per upstream attempt, time to first byte, the gateway's own time; its cache result and a limit refusal. */
  timing(provider: string, model: string, status: number, t: CallTiming): void {
    const key = `${provider}\u0000${model}`;
    let c = this.timings.get(key);
    if (!c) {
      c = { total: new Map(), upstream: new Map(), ttfb: this.ttfb.labels({ provider, model }), overhead: this.overhead.labels({ provider, model }) };
      this.timings.set(key, c);
    }
    let total = c.total.get(status);
    if (!total) c.total.set(status, (total = this.duration.labels({ provider, model, status: String(status) })));
    total.observe(t.durationMs / 1000);
    let upstreamMs = 0;
    for (const a of t.attempts) {
      upstreamMs += a.durationMs;
      const s = a.status === null ? 'error' : String(a.status);
      const ukey = `${a.provider}\u0000${a.model}\u0000${s}`;
      let u = c.upstream.get(ukey);
      if (!u) c.upstream.set(ukey, (u = this.upstream.labels({ provider: a.provider, model: a.model, status: s })));
      u.observe(a.durationMs / 1000);
    }
    if (t.ttfbMs !== null) {
      c.ttfb.observe(t.ttfbMs / 1000);
      if (t.attempts.length) c.overhead.observe(Math.max(0, t.ttfbMs - upstreamMs) / 1000);
    }
    if (t.cache) this.cacheLookups.inc({ result: t.cache });
    if (status === 429 && t.errorCode && !t.attempts.length) this.limitRefusals.inc({ code: t.errorCode });
  }

  /** Where the buffered-spans gauge reads from (the span exporter). */
  trackSpans(buffered: () => number): void {
    this.spansBuffered = buffered;
  }

  droppedSpans(count: number, reason: string): void {
    this.spansDropped.inc({ reason }, count);
  }

  droppedRecords(count: number): void {
    this.dropped.inc(count);
  }
}
