import { invalidRequest } from '@switchyard/types';
import { z } from 'zod';
import type { TraceQuery } from '@switchyard/persistence';
import { decodeCursor } from './project-scope';

/** A time filter: ISO-8601, or an integer of Unix nanoseconds. Returns nanoseconds as a decimal string. */
export function timeToNanos(v: string, param: string): string {
  if (/^\d{1,19}$/.test(v)) return BigInt(v).toString();
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw invalidRequest(`'${param}' must be an ISO-8601 time or Unix nanoseconds.`, param);
  return (BigInt(ms) * 1_000_000n).toString();
}

const querySchema = z.object({
  service: z.string().min(1).max(500).optional(),
  name: z.string().min(1).max(1000).optional(),
  status: z.enum(['ok', 'error']).optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  min_duration_ms: z.coerce.number().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().optional(),
  project: z.string().optional(),
});

const isCursor = (v: unknown): v is { s: string; t: string } =>
  typeof v === 'object' && v !== null && typeof (v as { s?: unknown }).s === 'string' && /^\d+$/.test((v as { s: string }).s) && typeof (v as { t?: unknown }).t === 'string';

/** `GET /v1/traces` query string -> repository query (`attr.<key>=<value>` become attribute equalities). */
export function parseTraceQuery(raw: Record<string, string | string[] | undefined>): TraceQuery {
  const flat: Record<string, string> = {};
  const attributes: [string, string][] = [];
  for (const [k, v] of Object.entries(raw)) {
    const values = Array.isArray(v) ? v : v === undefined ? [] : [v];
    if (k.startsWith('attr.') && k.length > 5) for (const value of values) attributes.push([k.slice(5), value]);
    else if (values.length) flat[k] = values[values.length - 1]!;
  }
  const parsed = querySchema.safeParse(flat);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidRequest(`${String(issue.path[0])}: ${issue.message}`, String(issue.path[0]));
  }
  const q = parsed.data;
  const after = decodeCursor(q.cursor, isCursor);
  return {
    service: q.service,
    name: q.name,
    status: q.status,
    fromNs: q.from ? timeToNanos(q.from, 'from') : undefined,
    toNs: q.to ? timeToNanos(q.to, 'to') : undefined,
    minDurationNs: q.min_duration_ms !== undefined ? BigInt(Math.round(q.min_duration_ms * 1e6)).toString() : undefined,
    attributes,
    after: after ? { startNs: after.s, traceId: after.t } : undefined,
    limit: q.limit,
  };
}
