import type { TokenUsage } from '@switchyard/metering';
import { Counter, Gauge, type Registry } from 'prom-client';

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
