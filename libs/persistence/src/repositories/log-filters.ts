import { invalidRequest } from '@switchyard/types';

export type LogFilterOperator = 'eq' | 'neq' | 'contains' | 'lt' | 'gt' | 'lte' | 'gte';

/** One filter of `GET /v1/logs?filters=…` (Cloudflare's shape): the filters of a query are ANDed. */
export interface LogFilter {
  key: string;
  operator: LogFilterOperator;
  value: (string | number | boolean | null)[];
}

type Kind = 'uuid' | 'text' | 'number' | 'boolean' | 'time';

/** Filter keys -> the column of `request_logs l` (never taken from the input) and its kind. */
const COLUMNS: Record<string, { column: string; kind: Kind }> = {
  id: { column: 'l.id', kind: 'uuid' },
  created_at: { column: 'l.created_at', kind: 'time' },
  success: { column: 'l.success', kind: 'boolean' },
  cached: { column: 'l.cached', kind: 'boolean' },
  provider: { column: 'l.provider', kind: 'text' },
  model: { column: 'l.model', kind: 'text' },
  model_requested: { column: 'l.model_requested', kind: 'text' },
  cost: { column: 'l.cost', kind: 'number' },
  tokens: { column: 'l.tokens', kind: 'number' },
  tokens_in: { column: 'l.tokens_in', kind: 'number' },
  tokens_out: { column: 'l.tokens_out', kind: 'number' },
  duration: { column: 'l.duration_ms', kind: 'number' },
  feedback: { column: 'l.feedback', kind: 'number' },
  score: { column: 'l.score', kind: 'number' },
  event_id: { column: 'l.event_id', kind: 'text' },
  request_content_type: { column: 'l.request_content_type', kind: 'text' },
  response_content_type: { column: 'l.response_content_type', kind: 'text' },
  request_type: { column: 'l.request_type', kind: 'text' },
  customer_identifier: { column: 'l.customer_identifier', kind: 'text' },
  key_id: { column: 'l.key_id', kind: 'text' },
  status_code: { column: 'l.status_code', kind: 'number' },
  // The config or saved prompt the request used (in the record's routing JSON; not indexed: a project's time range narrows first).
  config: { column: "(l.routing->'config'->>'slug')", kind: 'text' },
  config_variant: { column: "(l.routing->'config'->>'variant')", kind: 'text' },
  prompt_id: { column: "(l.routing->'prompt'->>'id')", kind: 'text' },
};

/** The filter keys `GET /v1/logs` accepts. */
export const LOG_FILTER_KEYS = [...Object.keys(COLUMNS), 'metadata.key', 'metadata.value'];

/** Sortable fields -> columns. */
export const LOG_ORDER_COLUMNS = {
  created_at: 'l.created_at',
  cost: 'l.cost',
  duration: 'l.duration_ms',
  tokens: 'l.tokens',
  tokens_in: 'l.tokens_in',
  tokens_out: 'l.tokens_out',
  status_code: 'l.status_code',
  feedback: 'l.feedback',
  score: 'l.score',
} as const;
export type LogOrderBy = keyof typeof LOG_ORDER_COLUMNS;

const OPERATORS: Record<Kind, LogFilterOperator[]> = {
  uuid: ['eq', 'neq'],
  text: ['eq', 'neq', 'contains'],
  number: ['eq', 'neq', 'lt', 'gt', 'lte', 'gte'],
  boolean: ['eq', 'neq'],
  time: ['eq', 'neq', 'lt', 'gt', 'lte', 'gte'],
};

const FILTER_OPERATORS: LogFilterOperator[] = ['eq', 'neq', 'contains', 'lt', 'gt', 'lte', 'gte'];
const COMPARISONS = { lt: '<', gt: '>', lte: '<=', gte: '>=' } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Escapes LIKE wildcards so user text matches literally. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A place for a parameter: pushes the value and returns `$n`. */
export type Bind = (value: unknown) => string;

function bad(filter: number, message: string): never {
  throw invalidRequest(`filters[${filter}]: ${message}`, `filters[${filter}]`);
}

/** Validates one value of a filter for its kind (null only for eq/neq: "is null"). */
function valueOf(i: number, key: string, kind: Kind, v: unknown): string | number | boolean {
  const fail = (what: string) => bad(i, `'${key}' takes ${what} values, got ${JSON.stringify(v)}.`);
  switch (kind) {
    case 'uuid':
      if (typeof v !== 'string' || !UUID.test(v)) fail('UUID');
      return (v as string).toLowerCase();
    case 'text':
      if (typeof v !== 'string' && typeof v !== 'number') fail('string');
      return String(v);
    case 'number': {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n)) fail('number');
      return n as number;
    }
    case 'boolean':
      if (v === 'true' || v === 'false') return v === 'true';
      if (typeof v !== 'boolean') fail('boolean');
      return v as boolean;
    case 'time': {
      const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
      if (!Number.isFinite(ms)) fail('ISO-8601 time');
      return new Date(ms).toISOString();
    }
  }
}

/** One filter as a SQL condition over `request_logs l`, its values bound as parameters. */
function condition(i: number, f: LogFilter, bind: Bind): string {
  if (f.key === 'metadata.key' || f.key === 'metadata.value') {
    if (f.operator !== 'eq' && f.operator !== 'neq' && f.operator !== 'contains') bad(i, `'${f.key}' takes eq, neq or contains.`);
    const values = f.value.map((v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : bad(i, `'${f.key}' takes scalar values.`)));
    const side = f.key === 'metadata.key' ? 'm.key' : 'm.value';
    const match = f.operator === 'contains' ? `${side} ILIKE ANY(${bind(values.map(likePattern))}::text[])` : `${side} = ANY(${bind(values)}::text[])`;
    const exists = `EXISTS (SELECT 1 FROM jsonb_each_text(l.metadata) m WHERE ${match})`;
    return f.operator === 'neq' ? `NOT ${exists}` : exists;
  }
  const spec = COLUMNS[f.key];
  if (!spec) bad(i, `unknown key '${f.key}'; filter keys: ${LOG_FILTER_KEYS.join(', ')}.`);
  if (!OPERATORS[spec.kind].includes(f.operator)) bad(i, `'${f.key}' takes the operators ${OPERATORS[spec.kind].join(', ')}.`);
  const { column, kind } = spec;
  const cast = { uuid: 'uuid', text: 'text', number: 'numeric', boolean: 'boolean', time: 'timestamptz' }[kind];
  const nulls = f.value.some((v) => v === null);
  const values = f.value.filter((v) => v !== null).map((v) => valueOf(i, f.key, kind, v));
  switch (f.operator) {
    case 'lt':
    case 'gt':
    case 'lte':
    case 'gte':
      if (values.length !== 1 || nulls) bad(i, `'${f.operator}' takes exactly one value.`);
      return `${column} ${COMPARISONS[f.operator]} ${bind(values[0])}::${cast}`;
    case 'contains':
      if (!values.length || nulls) bad(i, `'contains' takes one or more strings.`);
      return `${column} ILIKE ANY(${bind(values.map((v) => likePattern(String(v))))}::text[])`;
    case 'eq':
    case 'neq': {
      // One value: a plain equality, which PostgreSQL matches to an index in its order ((project_id, model,
      // created_at DESC) for the newest of one model); several: = ANY.
      const equal = values.length === 1 ? `${column} = ${bind(values[0])}::${cast}` : values.length ? `${column} = ANY(${bind(values)}::${cast}[])` : '';
      const any = [equal, nulls ? `${column} IS NULL` : ''].filter(Boolean);
      if (!any.length) bad(i, `'${f.operator}' takes one or more values.`);
      const matches = any.length > 1 ? `(${any.join(' OR ')})` : any[0]!;
      // neq: neither equal to a value nor null when null was named; a NULL column is "not equal" to any value.
      return f.operator === 'eq' ? matches : `NOT COALESCE(${matches}, false)`;
    }
  }
}

/** Parses `?filters=` (a JSON array, already URL-decoded) into filters; a 400 naming the filter when malformed. */
export function parseLogFilters(raw: string | undefined): LogFilter[] {
  if (raw === undefined || raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidRequest('filters must be a URL-encoded JSON array of {key, operator, value}.', 'filters');
  }
  return checkLogFilters(parsed);
}

/** Validates filters already decoded (a JSON array, or Cloudflare's query-string form): a 400 naming the filter when malformed. */
export function checkLogFilters(parsed: unknown): LogFilter[] {
  if (!Array.isArray(parsed)) throw invalidRequest('filters must be a JSON array of {key, operator, value}.', 'filters');
  if (parsed.length > 50) throw invalidRequest('At most 50 filters.', 'filters');
  return parsed.map((f: unknown, i) => {
    if (typeof f !== 'object' || f === null) bad(i, 'must be an object {key, operator, value}.');
    const { key, operator, value } = f as Record<string, unknown>;
    if (typeof key !== 'string') bad(i, "'key' must be a string.");
    if (!FILTER_OPERATORS.includes(operator as LogFilterOperator)) bad(i, `'operator' must be one of ${FILTER_OPERATORS.join(', ')}.`);
    const values = Array.isArray(value) ? value : [value];
    if (values.length > 100) bad(i, 'at most 100 values.');
    const filter = { key, operator: operator as LogFilterOperator, value: values as LogFilter['value'] };
    condition(i, filter, () => '$0'); // validates keys, operators and values now, before any query
    return filter;
  });
}

/** The filters as SQL conditions over `request_logs l` (ANDed by the caller), every value a parameter. */
export function logFilterConditions(filters: LogFilter[], bind: Bind): string[] {
  return filters.map((f, i) => condition(i, f, bind));
}
