/** An attribute value as OTLP carries it (arrays of strings for e.g. `gen_ai.response.finish_reasons`). */
export type SpanAttributeValue = string | number | boolean | readonly string[];

/** OTLP span kinds the gateway emits. */
export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, CONSUMER: 5 } as const;

/** OTLP status codes. */
export const SpanStatus = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/**
 * One finished span of the gateway's own, built after the fact from what the request already recorded (no live
 * SDK span, no context manager on the hot path), then queued for export. Times are Unix epoch nanoseconds.
 */
export interface GatewaySpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  status: { code: number; message: string };
  attributes: Record<string, SpanAttributeValue>;
  /** W3C trace flags of the trace. */
  flags: number;
}

/** Epoch milliseconds (fractional, e.g. `performance.timeOrigin + performance.now()`) to epoch nanoseconds. */
export const msToNs = (ms: number): bigint => BigInt(Math.round(ms * 1000)) * 1000n;


/** A project's `otel[]` entry: where its gateway spans are also exported (OTLP/HTTP). */
export interface OtelTarget {
  url: string;
  authorization: string;
  headers: Readonly<Record<string, string>>;
  content_type?: 'json' | 'protobuf';
}

/** Where finished spans go: queued, never awaited by the request (libs/routing's SpanExporter). */
export interface SpanSink {
  add(projectId: string, targets: readonly OtelTarget[], spans: GatewaySpan[]): void;
}
