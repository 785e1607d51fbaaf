/** The logs API's filter set (docs/logs.md "Filters"), edited as chips. Pure: unit-tested in filters.spec.ts. */
export type FilterOperator = 'eq' | 'neq' | 'contains' | 'lt' | 'gt' | 'lte' | 'gte';
export type FilterValue = string | number | boolean | null;
export interface LogFilter {
  key: string;
  operator: FilterOperator;
  value: FilterValue[];
}

type Kind = 'string' | 'number' | 'boolean' | 'time' | 'uuid' | 'metadata';
const STRING_KEYS = ['provider', 'model', 'model_requested', 'event_id', 'request_content_type', 'response_content_type', 'request_type', 'customer_identifier', 'key_id'];
const NUMBER_KEYS = ['cost', 'tokens', 'tokens_in', 'tokens_out', 'duration', 'feedback', 'score', 'status_code'];

export const FILTER_KEYS: Record<string, Kind> = {
  id: 'uuid',
  created_at: 'time',
  success: 'boolean',
  cached: 'boolean',
  ...Object.fromEntries(STRING_KEYS.map((k) => [k, 'string' as const])),
  ...Object.fromEntries(NUMBER_KEYS.map((k) => [k, 'number' as const])),
  'metadata.key': 'metadata',
  'metadata.value': 'metadata',
};

const OPERATORS: Record<Kind, FilterOperator[]> = {
  uuid: ['eq', 'neq'],
  boolean: ['eq', 'neq'],
  string: ['eq', 'neq', 'contains'],
  metadata: ['eq', 'neq', 'contains'],
  number: ['eq', 'neq', 'lt', 'gt', 'lte', 'gte'],
  time: ['eq', 'neq', 'lt', 'gt', 'lte', 'gte'],
};

export function operatorsFor(key: string): FilterOperator[] {
  const kind = FILTER_KEYS[key];
  return kind ? OPERATORS[kind] : [];
}

export const OPERATOR_LABELS: Record<FilterOperator, string> = { eq: 'is', neq: 'is not', contains: 'contains', lt: '<', gt: '>', lte: '≤', gte: '≥' };

/**
 * A chip's typed text values (comma-separated: "any of") turned into the API's typed values, or an error in words.
 * `null` (the word) means "is null" for eq/neq.
 */
export function parseFilterValues(key: string, operator: FilterOperator, text: string): { value: FilterValue[] } | { error: string } {
  const kind = FILTER_KEYS[key];
  if (!kind) return { error: `Unknown filter '${key}'.` };
  if (!OPERATORS[kind].includes(operator)) return { error: `'${key}' does not take '${OPERATOR_LABELS[operator]}'.` };
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (!parts.length) return { error: 'Enter a value.' };
  const value: FilterValue[] = [];
  for (const part of parts) {
    if (part === 'null' && (operator === 'eq' || operator === 'neq')) {
      value.push(null);
      continue;
    }
    switch (kind) {
      case 'number': {
        const n = Number(part);
        if (!Number.isFinite(n)) return { error: `'${part}' is not a number.` };
        value.push(n);
        break;
      }
      case 'boolean':
        if (part !== 'true' && part !== 'false') return { error: `'${key}' is true or false.` };
        value.push(part === 'true');
        break;
      case 'time':
        if (Number.isNaN(Date.parse(part))) return { error: `'${part}' is not a date (ISO-8601).` };
        value.push(new Date(part).toISOString());
        break;
      case 'uuid':
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(part)) return { error: `'${part}' is not an id.` };
        value.push(part.toLowerCase());
        break;
      case 'string':
      case 'metadata':
        value.push(part);
        break;
    }
  }
  return { value };
}

/** A chip's label: `model is gpt-4o, gpt-4o-mini`. */
export function filterLabel(f: LogFilter): string {
  return `${f.key} ${OPERATOR_LABELS[f.operator]} ${f.value.map((v) => (v === null ? 'null' : String(v))).join(', ')}`;
}

/** Adds a chip, replacing one with the same key and operator (the API ANDs filters; two equal keys rarely mean that). */
export function upsertFilter(filters: LogFilter[], f: LogFilter): LogFilter[] {
  return [...filters.filter((x) => !(x.key === f.key && x.operator === f.operator)), f];
}

export interface LogQuery {
  filters: LogFilter[];
  search: string;
  orderBy: string;
  direction: 'asc' | 'desc';
  perPage: number;
}

/**
 * The query string of `GET /v1/logs` for a page (`cursor` from the previous page's `next_cursor`; the cursor
 * carries the position only, so the filters, search and order go with it).
 */
export function logsQueryString(q: LogQuery, cursor?: string | null): string {
  const params = new URLSearchParams();
  if (q.filters.length) params.set('filters', JSON.stringify(q.filters));
  if (q.search.trim()) params.set('search', q.search.trim());
  if (q.orderBy !== 'created_at') params.set('order_by', q.orderBy);
  if (q.direction !== 'desc') params.set('order_by_direction', q.direction);
  params.set('per_page', String(q.perPage));
  if (cursor) params.set('cursor', cursor);
  return params.toString();
}
