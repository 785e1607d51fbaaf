/** Analytics (`GET /v1/analytics`, docs/logs.md) shaped for charts. Pure: analytics.spec.ts. */
export interface AnalyticsRow {
  bucket: string;
  group?: string | null;
  requests: number;
  errors: number;
  cached: number;
  tokens_in: number;
  tokens_out: number;
  cost: number;
  p50_duration: number | null;
  p95_duration: number | null;
}

export type Range = '1h' | '24h' | '7d' | '30d';
export const RANGES: Record<Range, { ms: number; interval: 'minute' | 'hour' | 'day'; label: string }> = {
  '1h': { ms: 3_600_000, interval: 'minute', label: 'Last hour' },
  '24h': { ms: 86_400_000, interval: 'hour', label: 'Last 24 hours' },
  '7d': { ms: 7 * 86_400_000, interval: 'hour', label: 'Last 7 days' },
  '30d': { ms: 30 * 86_400_000, interval: 'day', label: 'Last 30 days' },
};

export function analyticsQuery(range: Range, groupBy: string, now = new Date()): string {
  const r = RANGES[range];
  const params = new URLSearchParams({ interval: r.interval, from: new Date(now.getTime() - r.ms).toISOString(), to: now.toISOString() });
  if (groupBy) params.set('group_by', groupBy);
  return params.toString();
}

export interface Totals {
  requests: number;
  errors: number;
  cached: number;
  tokens: number;
  cost: number;
}

export function totals(rows: AnalyticsRow[]): Totals {
  return rows.reduce<Totals>(
    (t, r) => ({ requests: t.requests + r.requests, errors: t.errors + r.errors, cached: t.cached + r.cached, tokens: t.tokens + r.tokens_in + r.tokens_out, cost: t.cost + r.cost }),
    { requests: 0, errors: 0, cached: 0, tokens: 0, cost: 0 },
  );
}

/** One point per bucket (groups summed; percentiles: the slowest group's, an upper bound), oldest first. */
export function series(rows: AnalyticsRow[]): Array<{ bucket: string; requests: number; errors: number; cached: number; tokens: number; cost: number; p50: number | null; p95: number | null }> {
  const byBucket = new Map<string, { bucket: string; requests: number; errors: number; cached: number; tokens: number; cost: number; p50: number | null; p95: number | null }>();
  for (const r of rows) {
    const p = byBucket.get(r.bucket) ?? { bucket: r.bucket, requests: 0, errors: 0, cached: 0, tokens: 0, cost: 0, p50: null, p95: null };
    p.requests += r.requests;
    p.errors += r.errors;
    p.cached += r.cached;
    p.tokens += r.tokens_in + r.tokens_out;
    p.cost += r.cost;
    if (r.p50_duration !== null) p.p50 = Math.max(p.p50 ?? 0, r.p50_duration);
    if (r.p95_duration !== null) p.p95 = Math.max(p.p95 ?? 0, r.p95_duration);
    byBucket.set(r.bucket, p);
  }
  return [...byBucket.values()].sort((a, b) => a.bucket.localeCompare(b.bucket));
}

/** Per group totals, most requests first. */
export function byGroup(rows: AnalyticsRow[]): Array<Totals & { group: string }> {
  const groups = new Map<string, AnalyticsRow[]>();
  for (const r of rows) {
    const g = r.group ?? '(none)';
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  return [...groups.entries()].map(([group, rs]) => ({ group, ...totals(rs) })).sort((a, b) => b.requests - a.requests);
}
