/** A trace's spans (tree order from the collector) as waterfall rows. Pure: waterfall.spec.ts. */
export interface TraceSpan {
  span_id: string;
  parent_span_id: string | null;
  name: string;
  service: string | null;
  start_time_unix_nano: string;
  end_time_unix_nano: string;
  duration_ms: number;
  status: { code: string | number; message?: string | null };
  attributes: Record<string, unknown>;
  events: Array<{ name: string; time_unix_nano?: string; attributes?: Record<string, unknown> }>;
  gen_ai?: { model: string | null; provider: string | null; input_tokens: number | null; output_tokens: number | null; cost: number | null } | null;
}

export interface WaterfallRow {
  span: TraceSpan;
  depth: number;
  /** Start and width as percentages of the trace's duration. */
  offset: number;
  width: number;
}

export function waterfall(spans: TraceSpan[]): { rows: WaterfallRow[]; totalMs: number } {
  if (!spans.length) return { rows: [], totalMs: 0 };
  const start = spans.reduce((m, s) => (BigInt(s.start_time_unix_nano) < m ? BigInt(s.start_time_unix_nano) : m), BigInt(spans[0]!.start_time_unix_nano));
  const end = spans.reduce((m, s) => (BigInt(s.end_time_unix_nano) > m ? BigInt(s.end_time_unix_nano) : m), BigInt(spans[0]!.end_time_unix_nano));
  const total = Number(end - start) || 1;
  const depth = new Map<string, number>();
  const rows = spans.map((span) => {
    const d = span.parent_span_id && depth.has(span.parent_span_id) ? depth.get(span.parent_span_id)! + 1 : 0;
    depth.set(span.span_id, d);
    const offset = (Number(BigInt(span.start_time_unix_nano) - start) / total) * 100;
    const width = Math.max(0.5, (Number(BigInt(span.end_time_unix_nano) - BigInt(span.start_time_unix_nano)) / total) * 100);
    return { span, depth: d, offset, width: Math.min(width, 100 - offset) };
  });
  return { rows, totalMs: total / 1e6 };
}

/** The log id a gateway span points to, if any (the attribute the router sets on its spans). */
export function logIdOf(span: TraceSpan): string | null {
  for (const key of ['gateway.log_id', 'switchyard.log_id', 'log.id']) {
    const v = span.attributes[key];
    if (typeof v === 'string') return v;
  }
  return null;
}
