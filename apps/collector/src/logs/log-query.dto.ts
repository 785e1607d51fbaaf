import { LOG_ORDER_COLUMNS, parseLogFilters, type LogOrderBy, type LogKey, type LogPatch, type LogQuery } from '@switchyard/persistence';
import { invalidRequest, parseOr400 } from '@switchyard/types';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../traces/project-scope';

const orderBy = z.enum(Object.keys(LOG_ORDER_COLUMNS) as [LogOrderBy, ...LogOrderBy[]]).default('created_at');
const direction = z.enum(['asc', 'desc']).default('desc');

const listSchema = z.object({
  filters: z.string().optional(),
  search: z.string().min(1).max(1000).optional(),
  order_by: orderBy,
  order_by_direction: direction,
  per_page: z.coerce.number().int().min(1).max(1000).default(50),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
  cursor: z.string().optional(),
  project: z.string().optional(),
});

const deleteSchema = z.object({
  filters: z.string().optional(),
  search: z.string().min(1).max(1000).optional(),
  order_by: orderBy,
  order_by_direction: direction,
  limit: z.coerce.number().int().min(1).optional(),
  project: z.string().optional(),
});

/** The listing cursor: keyset `{c, i}` (created_at order) or an offset `{o}` (other orders). */
type LogCursor = { c: string; i: string } | { o: number };
const isCursor = (v: unknown): v is LogCursor => {
  const c = v as Record<string, unknown> | null;
  return typeof c === 'object' && c !== null && ((typeof c['c'] === 'string' && typeof c['i'] === 'string') || (Number.isInteger(c['o']) && (c['o'] as number) >= 0));
};

const last = (v: string | string[] | undefined) => (Array.isArray(v) ? v[v.length - 1] : v);
const flat = (raw: Record<string, string | string[] | undefined>) => Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, last(v)]));

/** `GET /v1/logs` query string -> repository query. `page` and `cursor` are alternatives. */
export function parseLogListQuery(raw: Record<string, string | string[] | undefined>): LogQuery {
  const q = parseOr400(listSchema.strict(), flat(raw));
  if (q.page !== undefined && q.cursor !== undefined) throw invalidRequest('Give either page or cursor, not both.', 'cursor');
  const cursor = decodeCursor(q.cursor, isCursor);
  const base = { filters: parseLogFilters(q.filters), search: q.search, orderBy: q.order_by, direction: q.order_by_direction, limit: q.per_page };
  if (cursor && 'c' in cursor) return { ...base, after: { createdAt: cursor.c, id: cursor.i } };
  return { ...base, offset: cursor ? cursor.o : ((q.page ?? 1) - 1) * q.per_page };
}

/** `DELETE /v1/logs` query string: the matching logs, at most `limit` of them in the given order (no limit: all). */
export function parseLogDeleteQuery(raw: Record<string, string | string[] | undefined>): Omit<LogQuery, 'after' | 'offset'> {
  const q = parseOr400(deleteSchema.strict(), flat(raw));
  return { filters: parseLogFilters(q.filters), search: q.search, orderBy: q.order_by, direction: q.order_by_direction, limit: q.limit ?? Number.MAX_SAFE_INTEGER };
}

/**
 * The cursor of the page after a full one ending with the row at `last` (its exact created_at, microseconds
 * included: a millisecond cursor would skip the rows between it and the row's true time): keyset in created_at
 * order, else an offset.
 */
export function nextLogCursor(q: LogQuery, last: LogKey): string {
  const cursor: LogCursor = q.orderBy === 'created_at' ? { c: last.createdAt, i: last.id } : { o: (q.offset ?? 0) + q.limit };
  return encodeCursor(cursor);
}

const scalar = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);
const patchSchema = z
  .object({
    feedback: z.union([z.literal(1), z.literal(-1), z.null()]).optional(),
    score: z.number().finite().nullable().optional(),
    metadata: z.record(z.string().min(1).max(256), scalar).refine((m) => Object.keys(m).length <= 50, 'at most 50 entries').optional(),
  })
  .strict();

/** `PATCH /v1/logs/{id}` body: feedback 1|-1|null, score number|null, metadata scalars (merged). */
export function parseLogPatch(body: unknown): LogPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidRequest('The body must be a JSON object.');
  return parseOr400(patchSchema, body);
}
