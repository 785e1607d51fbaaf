import { parsePaging, type Paging } from '@switchyard/http';
import { checkLogFilters, type LogFilter } from '@switchyard/persistence';
import { invalidRequest, parseOr400 } from '@switchyard/types';
import { z } from 'zod';
import { EVALUATION_TYPE_IDS, EVALUATION_TYPES } from './evaluation-types';

type RawQuery = Record<string, string | string[] | undefined>;

/** The filter keys and operators of a Cloudflare dataset (a subset of what log listing takes). */
const DATASET_FILTER_KEYS = ['created_at', 'request_content_type', 'response_content_type', 'success', 'cached', 'provider', 'model', 'cost', 'tokens', 'tokens_in', 'tokens_out', 'duration', 'feedback'] as const;

const filterSchema = z
  .object({
    key: z.enum(DATASET_FILTER_KEYS),
    operator: z.enum(['eq', 'contains', 'lt', 'gt']),
    value: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1).max(100),
  })
  .strict();

const datasetSchema = z
  .object({
    name: z.string().trim().min(1).max(256),
    enable: z.boolean(),
    filters: z.array(filterSchema).max(50),
  })
  .strict();

const evaluationSchema = z
  .object({
    name: z.string().trim().min(1).max(256),
    dataset_ids: z.array(z.string().uuid()).min(1).max(50),
    evaluation_type_ids: z.array(z.enum(EVALUATION_TYPE_IDS)).min(1).max(EVALUATION_TYPE_IDS.length),
  })
  .strict();

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const page = { page: z.string().optional(), per_page: z.string().optional() };
const datasetListSchema = z.object({ ...page, name: z.string().min(1).optional(), enable: bool.optional(), search: z.string().min(1).max(256).optional() }).strict();
const evaluationListSchema = z.object({ ...page, name: z.string().min(1).optional(), processed: bool.optional(), search: z.string().min(1).max(256).optional() }).strict();
const typeListSchema = z
  .object({ ...page, order_by: z.enum(['id', 'name', 'type', 'created_at']).optional(), order_by_direction: z.enum(['asc', 'desc']).optional() })
  .strict();

/** Each query parameter once (a repeated one is ambiguous: a 400 naming it). */
function single(raw: RawQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) throw invalidRequest(`'${k}' is given more than once.`, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * A dataset's body (create and PUT: the whole dataset). Filters are Cloudflare's and checked like the log
 * listing's (a 400 naming the filter); feedback 0 is Cloudflare's thumbs down, stored as -1 like PATCH feedback.
 */
export function parseDatasetBody(body: unknown): { name: string; enable: boolean; filters: LogFilter[] } {
  const d = parseOr400(datasetSchema, body);
  const filters = d.filters.map((f) => (f.key === 'feedback' ? { ...f, value: f.value.map((v) => (v === 0 || v === '0' ? -1 : v)) } : f));
  return { name: d.name, enable: d.enable, filters: checkLogFilters(filters) };
}

export function parseEvaluationBody(body: unknown): { name: string; datasetIds: string[]; typeIds: string[] } {
  const e = parseOr400(evaluationSchema, body);
  return { name: e.name, datasetIds: [...new Set(e.dataset_ids.map((id) => id.toLowerCase()))], typeIds: [...new Set(e.evaluation_type_ids)] };
}

const limits = (p: Paging) => ({ limit: p.perPage, offset: (p.page - 1) * p.perPage });

export function parseDatasetList(raw: RawQuery) {
  const { page: pg, per_page, ...q } = parseOr400(datasetListSchema, single(raw));
  const paging = parsePaging({ page: pg, per_page });
  return { paging, query: { ...q, ...limits(paging) } };
}

export function parseEvaluationList(raw: RawQuery) {
  const { page: pg, per_page, ...q } = parseOr400(evaluationListSchema, single(raw));
  const paging = parsePaging({ page: pg, per_page });
  return { paging, query: { ...q, ...limits(paging) } };
}

/** The evaluation types in the order asked (default: as defined). */
export function listEvaluationTypes(raw: RawQuery): { paging: Paging; types: typeof EVALUATION_TYPES } {
  const q = parseOr400(typeListSchema, single(raw));
  const paging = parsePaging({ page: q.page, per_page: q.per_page });
  if (!q.order_by) return { paging, types: q.order_by_direction === 'desc' ? [...EVALUATION_TYPES].reverse() : EVALUATION_TYPES };
  const key = q.order_by;
  const sign = q.order_by_direction === 'desc' ? -1 : 1;
  return { paging, types: [...EVALUATION_TYPES].sort((a, b) => sign * a[key].localeCompare(b[key])) };
}
