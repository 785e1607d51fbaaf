import type { AnalyticsGroup, AnalyticsQuery } from '@switchyard/persistence';
import { invalidRequest, parseOr400 } from '@switchyard/types';
import { z } from 'zod';

const DAY_MS = 86_400_000;
/** Buckets one answer may hold, per interval: a minute series over a year is refused, not computed. */
const MAX_BUCKETS = 10_000;
const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: DAY_MS } as const;

const schema = z
  .object({
    interval: z.enum(['minute', 'hour', 'day']).default('hour'),
    group_by: z
      .union([z.enum(['model', 'provider', 'key', 'customer']), z.string().regex(/^metadata\..{1,256}$/s, "'model', 'provider', 'key', 'customer' or 'metadata.<key>'")])
      .optional(),
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
    project: z.string().optional(),
  })
  .strict();

/** `GET /v1/analytics` query: interval (default hour), group_by (a dimension or `metadata.<key>`), from/to (ISO-8601; default the last 24 hours). */
export function parseAnalyticsQuery(raw: Record<string, string | string[] | undefined>, now = Date.now()): AnalyticsQuery {
  const flat = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v]));
  const q = parseOr400(schema, flat);
  const to = q.to ? new Date(q.to) : new Date(now);
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - DAY_MS);
  if (from >= to) throw invalidRequest("'from' must be before 'to'.", 'from');
  if ((to.getTime() - from.getTime()) / BUCKET_MS[q.interval] > MAX_BUCKETS) {
    throw invalidRequest(`At most ${MAX_BUCKETS} ${q.interval} buckets per query: narrow from/to or use a longer interval.`, 'interval');
  }
  const groupBy = q.group_by?.startsWith('metadata.') ? { metadata: q.group_by.slice('metadata.'.length) } : (q.group_by as AnalyticsGroup | undefined);
  return { interval: q.interval, groupBy, from, to };
}
