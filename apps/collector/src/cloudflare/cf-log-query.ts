import { parsePaging, type Paging } from '@switchyard/http';
import { checkLogFilters, LOG_ORDER_COLUMNS, parseLogFilters, type LogFilter, type LogOrderBy, type LogQuery } from '@switchyard/persistence';
import { invalidRequest, parseOr400 } from '@switchyard/types';
import { z } from 'zod';

type RawQuery = Record<string, string | string[] | undefined>;

const bool = z.enum(['true', 'false']);
const number = z.coerce.number().finite();
const time = z.string().refine((v) => Number.isFinite(Date.parse(v)), 'must be an ISO-8601 time');

interface Shorthand {
  schema: z.ZodType<string | number>;
  key: string;
  operator: LogFilter['operator'];
}

/** `min_<name>` and `max_<name>`: an inclusive range over the filter key `key`. */
const range = (name: string, key: string): Record<string, Shorthand> => ({
  [`min_${name}`]: { schema: number, key, operator: 'gte' },
  [`max_${name}`]: { schema: number, key, operator: 'lte' },
});

/** Cloudflare's shorthand list parameters -> one of our filters each (ANDed with `filters`). */
const SHORTHANDS: Record<string, Shorthand> = {
  cached: { schema: bool, key: 'cached', operator: 'eq' },
  success: { schema: bool, key: 'success', operator: 'eq' },
  provider: { schema: z.string().min(1), key: 'provider', operator: 'eq' },
  model: { schema: z.string().min(1), key: 'model', operator: 'eq' },
  request_content_type: { schema: z.string().min(1), key: 'request_content_type', operator: 'eq' },
  response_content_type: { schema: z.string().min(1), key: 'response_content_type', operator: 'eq' },
  ...range('cost', 'cost'),
  ...range('duration', 'duration'),
  ...range('tokens_in', 'tokens_in'),
  ...range('tokens_out', 'tokens_out'),
  ...range('total_tokens', 'tokens'),
  start_date: { schema: time, key: 'created_at', operator: 'gte' },
  end_date: { schema: time, key: 'created_at', operator: 'lte' },
};

const orderBy = z.enum(Object.keys(LOG_ORDER_COLUMNS) as [LogOrderBy, ...LogOrderBy[]]).default('created_at');
const direction = z.enum(['asc', 'desc']);

const listSchema = z
  .object({
    ...Object.fromEntries(Object.entries(SHORTHANDS).map(([name, s]) => [name, s.schema.optional()])),
    // Cloudflare: 1 = thumbs up, 0 = thumbs down; stored as 1 and -1 (what PATCH feedback takes).
    feedback: z.enum(['0', '1']).optional(),
    search: z.string().min(1).max(1000).optional(),
    order_by: orderBy,
    order_by_direction: direction.optional(),
    direction: direction.optional(),
    page: z.string().optional(),
    per_page: z.string().optional(),
    filters: z.string().optional(),
    'filters.key': z.string().optional(),
    'filters.operator': z.string().optional(),
    'filters.value': z.union([z.string(), z.array(z.string())]).optional(),
  })
  .strict();

const deleteSchema = z
  .object({
    order_by: orderBy,
    order_by_direction: direction.default('desc'),
    limit: z.coerce.number().int().min(1).optional(),
    filters: z.string().optional(),
    'filters.key': z.string().optional(),
    'filters.operator': z.string().optional(),
    'filters.value': z.union([z.string(), z.array(z.string())]).optional(),
  })
  .strict();

/** Every parameter once, except `filters.value` (a filter's values repeat it, as the SDK sends them). */
function flatten(raw: RawQuery): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && k !== 'filters.value') throw invalidRequest(`'${k}' is given more than once${k.startsWith('filters.') ? '; send several filters as ?filters=<JSON array>' : ''}.`, k);
    out[k] = v;
  }
  return out;
}

/**
 * `filters`: a URL-encoded JSON array (as `/v1/logs` takes it), or the one filter the `cloudflare` SDK sends as
 * `filters.key`, `filters.operator` and repeated `filters.value`.
 */
function filtersOf(q: { filters?: string; 'filters.key'?: string; 'filters.operator'?: string; 'filters.value'?: string | string[] }): LogFilter[] {
  const dotted = q['filters.key'] !== undefined || q['filters.operator'] !== undefined || q['filters.value'] !== undefined;
  if (dotted && q.filters !== undefined) throw invalidRequest('Give filters either as a JSON array or as filters.key/operator/value, not both.', 'filters');
  if (!dotted) return parseLogFilters(q.filters);
  const value = q['filters.value'];
  return checkLogFilters([{ key: q['filters.key'], operator: q['filters.operator'], value: value === undefined ? [] : Array.isArray(value) ? value : [value] }]);
}

/** `GET …/gateways/{gw}/logs` query -> the log service's query and the page asked for. */
export function parseCfLogListQuery(raw: RawQuery): { query: LogQuery; paging: Paging } {
  const q = parseOr400(listSchema, flatten(raw)) as z.infer<typeof listSchema> & Record<string, string | number | undefined>;
  if (q.direction && q.order_by_direction && q.direction !== q.order_by_direction) throw invalidRequest("'direction' and 'order_by_direction' disagree.", 'direction');
  const paging = parsePaging({ page: q.page, per_page: q.per_page });
  const filters = [...filtersOf(q), ...shorthandFilters(q)];
  if (q.feedback !== undefined) filters.push({ key: 'feedback', operator: 'eq', value: [q.feedback === '1' ? 1 : -1] });
  const query: LogQuery = {
    filters: checkLogFilters(filters),
    search: q.search,
    orderBy: q.order_by,
    direction: q.order_by_direction ?? q.direction ?? 'desc',
    limit: paging.perPage,
    offset: (paging.page - 1) * paging.perPage,
  };
  return { query, paging };
}

/** `DELETE …/gateways/{gw}/logs` query: the matching logs, at most `limit` in the given order (no limit: all). */
export function parseCfLogDeleteQuery(raw: RawQuery): Omit<LogQuery, 'after' | 'offset'> {
  const q = parseOr400(deleteSchema, flatten(raw));
  return { filters: filtersOf(q), orderBy: q.order_by, direction: q.order_by_direction, limit: q.limit ?? Number.MAX_SAFE_INTEGER };
}

function shorthandFilters(q: Record<string, unknown>): LogFilter[] {
  return Object.entries(SHORTHANDS)
    .filter(([name]) => q[name] !== undefined)
    .map(([name, { key, operator }]) => ({ key, operator, value: [q[name] as string | number] }));
}
