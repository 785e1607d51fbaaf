import { invalidRequest } from '@switchyard/types';

/** Cloudflare's paging block of a list answer. */
export interface V4ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
}

/** One error of a V4 answer: a numeric code, the message, and the offending field as a JSON pointer when known. */
export interface V4Error {
  code: number;
  message: string;
  source?: { pointer: string };
}

/** The Cloudflare V4 envelope every management answer is wrapped in. */
export interface V4Envelope<T> {
  result: T | null;
  success: boolean;
  errors: V4Error[];
  messages: { code: number; message: string }[];
  result_info?: V4ResultInfo;
}

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;

export interface Paging {
  page: number;
  perPage: number;
}

export function v4Ok<T>(result: T): V4Envelope<T> {
  return { result, success: true, errors: [], messages: [] };
}

/** A page of `items` (already filtered and ordered) with its `result_info`. */
export function v4Page<T>(items: readonly T[], { page, perPage }: Paging): V4Envelope<T[]> {
  const result = items.slice((page - 1) * perPage, page * perPage);
  return { ...v4Ok(result), result_info: { page, per_page: perPage, count: result.length, total_count: items.length } };
}

/** One page already fetched (`result`) of `total` matching items, with its `result_info`. */
export function v4Paged<T>(result: T[], { page, perPage }: Paging, total: number): V4Envelope<T[]> {
  return { ...v4Ok(result), result_info: { page, per_page: perPage, count: result.length, total_count: total } };
}

/**
 * A failure in the V4 shape. `code` is ours (the HTTP status followed by a running number would be Cloudflare's
 * internal catalogue; we answer the HTTP status itself), `param` becomes `source.pointer`.
 */
export function v4Failure(status: number, message: string, param: string | null): V4Envelope<null> {
  const error: V4Error = { code: status, message };
  if (param) error.source = { pointer: `/${param.replace(/\./g, '/')}` };
  return { result: null, success: false, errors: [error], messages: [] };
}

/** `page` (from 1) and `per_page` (1-100, default 20) of a list request; anything else is a 400 naming the parameter. */
export function parsePaging(query: { page?: string; per_page?: string }): Paging {
  return { page: positiveInt(query.page, 'page', 1, Number.MAX_SAFE_INTEGER), perPage: positiveInt(query.per_page, 'per_page', DEFAULT_PER_PAGE, MAX_PER_PAGE) };
}

function positiveInt(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalidRequest(`'${name}' must be an integer from 1 to ${max}.`, name);
  return n;
}
