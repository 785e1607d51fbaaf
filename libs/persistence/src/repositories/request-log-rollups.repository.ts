import type { DataSource } from 'typeorm';
import { histogramSumSql } from './latency-histogram';

export type AnalyticsInterval = 'minute' | 'hour' | 'day';
/** A rollup dimension, or a metadata key (`metadata.<key>`, from the metadata rollups). */
export type AnalyticsGroup = 'model' | 'provider' | 'key' | 'customer' | { metadata: string };

/** Group names -> rollup columns (never taken from the input). */
const GROUP_COLUMNS = { model: 'model', provider: 'provider', key: 'key_id', customer: 'customer_identifier' } as const;

export interface AnalyticsQuery {
  interval: AnalyticsInterval;
  groupBy?: AnalyticsGroup;
  from: Date;
  to: Date;
}

export interface AnalyticsRow {
  bucket: Date;
  group: string | null;
  requests: string;
  errors: string;
  cached: string;
  tokens_input: string;
  tokens_cache_read: string;
  tokens_cache_write: string;
  tokens_reasoning: string;
  tokens_output: string;
  cost: string;
  duration_ms: string;
  /** The summed latency histograms (see latency-histogram.ts; all zero when no row had one). */
  duration_hist: string[] | null;
  ttfb_hist: string[] | null;
}

const HOUR_MS = 3_600_000;
const MEASURES = `requests, errors, cached, tokens_input, tokens_cache_read, tokens_cache_write, tokens_reasoning, tokens_output, cost,
  duration_ms, duration_hist, ttfb_hist`;

/** A time range cut into the whole hours inside it and the minutes at either end (`hours` null: no whole hour inside). */
export interface RollupRanges {
  minutes: [Date, Date][];
  hours: [Date, Date] | null;
}

/**
 * Where the buckets of [from, to) come from: minute rows for a minute series; otherwise hourly rows for the whole
 * hours inside the range and minute rows for the partial hours at its ends (the same sums as minute rows alone).
 */
export function rollupRanges(q: AnalyticsQuery): RollupRanges {
  const { interval, from, to } = q;
  const firstHour = new Date(Math.ceil(from.getTime() / HOUR_MS) * HOUR_MS);
  const lastHour = new Date(Math.floor(to.getTime() / HOUR_MS) * HOUR_MS);
  if (interval === 'minute' || firstHour >= lastHour) return { minutes: [[from, to]], hours: null };
  const minutes = ([[from, firstHour], [lastHour, to]] as [Date, Date][]).filter(([a, b]) => a < b);
  return { minutes, hours: [firstHour, lastHour] };
}

/** The rollup table a grouping reads per minute or per hour, its group expression and its extra condition. */
export function rollupSource(groupBy: AnalyticsGroup | undefined, unit: 'minute' | 'hour', bind: (v: unknown) => string) {
  if (typeof groupBy === 'object') {
    const table = unit === 'minute' ? 'request_log_metadata_rollups' : 'request_log_metadata_hourly_rollups';
    return { table, group: 'value', where: ` AND key = ${bind(groupBy.metadata)}` };
  }
  if (unit === 'hour' && (groupBy === 'key' || groupBy === 'customer')) {
    // Hourly key and customer rows are kept apart from the model/provider ones (one row per value, not per combination).
    return { table: 'request_log_dimension_hourly_rollups', group: `NULLIF(value, '')`, where: ` AND dimension = '${GROUP_COLUMNS[groupBy]}'` };
  }
  const table = unit === 'minute' ? 'request_log_rollups' : 'request_log_hourly_rollups';
  return { table, group: groupBy ? `NULLIF(${GROUP_COLUMNS[groupBy]}, '')` : 'NULL::text', where: '' };
}

/**
 * The rollups of one project's request logs (kept by the log writer, per minute and per hour), summed per time
 * bucket and group (a metadata key: its metadata rollups). Long ranges read the hourly rows (see rollupRanges and
 * rollupSource).
 */
export class RequestLogRollupsRepository {
  constructor(private readonly ds: DataSource) {}

  summary(projectId: string, q: AnalyticsQuery): Promise<AnalyticsRow[]> {
    const params: unknown[] = [projectId, q.interval];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const ranges = rollupRanges(q);
    const part = (unit: 'minute' | 'hour', [a, b]: [Date, Date]) => {
      const { table, group, where } = rollupSource(q.groupBy, unit, bind);
      return `SELECT bucket, ${group} AS g, ${MEASURES} FROM ${table} WHERE project_id = $1${where} AND bucket >= ${bind(a)} AND bucket < ${bind(b)}`;
    };
    const parts = [...ranges.minutes.map((r) => part('minute', r)), ...(ranges.hours ? [part('hour', ranges.hours)] : [])];
    return this.ds.query(
      `SELECT date_trunc($2, bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, g AS "group",
         sum(requests)::text AS requests, sum(errors)::text AS errors, sum(cached)::text AS cached,
         sum(tokens_input)::text AS tokens_input, sum(tokens_cache_read)::text AS tokens_cache_read,
         sum(tokens_cache_write)::text AS tokens_cache_write, sum(tokens_reasoning)::text AS tokens_reasoning,
         sum(tokens_output)::text AS tokens_output, sum(cost)::text AS cost, sum(duration_ms)::text AS duration_ms,
         ${histogramSumSql('duration_hist')} AS duration_hist, ${histogramSumSql('ttfb_hist')} AS ttfb_hist
       FROM (${parts.join('\n       UNION ALL ')}) r
       GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST`,
      params,
    );
  }
}
