import type { DataSource } from 'typeorm';
import { histogramFromText, histogramReadSumSql } from './latency-histogram';

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

/** A row as the query returns it: its histograms as text (see histogramFromText). */
type TextHistograms<T> = Omit<T, 'duration_hist' | 'ttfb_hist'> & { duration_hist: string; ttfb_hist: string };

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const MEASURES = `requests, errors, cached, tokens_input, tokens_cache_read, tokens_cache_write, tokens_reasoning, tokens_output, cost,
  duration_ms, duration_hist, ttfb_hist`;

/** The rollup grains a range is read from. */
export type RollupUnit = 'minute' | 'hour' | 'day';

/** A time range cut into the whole UTC days (key and customer day series only), whole hours and minutes it holds. */
export interface RollupRanges {
  minutes: [Date, Date][];
  hours: [Date, Date][];
  days: [Date, Date] | null;
}

/** [from, to) cut at the multiples of `ms` since the epoch: the whole units inside it (null: none) and the parts at either end. */
function cut([from, to]: [Date, Date], ms: number): { whole: [Date, Date] | null; ends: [Date, Date][] } {
  const first = new Date(Math.ceil(from.getTime() / ms) * ms);
  const last = new Date(Math.floor(to.getTime() / ms) * ms);
  if (first >= last) return { whole: null, ends: [[from, to]] };
  return { whole: [first, last], ends: ([[from, first], [last, to]] as [Date, Date][]).filter(([a, b]) => a < b) };
}

/**
 * Where the buckets of [from, to) come from: minute rows for a minute series; otherwise hourly rows for the whole
 * hours inside the range and minute rows for the partial hours at its ends (the same sums as minute rows alone). A
 * day series by key or customer reads the daily rows for the whole UTC days inside the range, and hours and
 * minutes as above for the partial days at its ends.
 */
export function rollupRanges(q: AnalyticsQuery): RollupRanges {
  const { interval, groupBy, from, to } = q;
  if (interval === 'minute') return { minutes: [[from, to]], hours: [], days: null };
  const days = interval === 'day' && (groupBy === 'key' || groupBy === 'customer') ? cut([from, to], DAY_MS) : { whole: null, ends: [[from, to]] as [Date, Date][] };
  const hours = days.ends.map((range) => cut(range, HOUR_MS));
  return { minutes: hours.flatMap((h) => h.ends), hours: hours.flatMap((h) => (h.whole ? [h.whole] : [])), days: days.whole };
}

/** The rollup table a grouping reads per minute, hour or day (key and customer only), its group expression and its extra condition. */
export function rollupSource(groupBy: AnalyticsGroup | undefined, unit: RollupUnit, bind: (v: unknown) => string) {
  if (unit !== 'minute' && (groupBy === 'key' || groupBy === 'customer')) {
    // Hourly and daily key and customer rows are kept apart from the model/provider ones (one row per value, not per combination).
    const table = unit === 'day' ? 'request_log_dimension_daily_rollups' : 'request_log_dimension_hourly_rollups';
    return { table, group: `NULLIF(value, '')`, where: ` AND dimension = '${GROUP_COLUMNS[groupBy]}'` };
  }
  if (unit === 'day') throw new Error('daily rollups are kept for the key and customer groupings only');
  if (typeof groupBy === 'object') {
    const table = unit === 'minute' ? 'request_log_metadata_rollups' : 'request_log_metadata_hourly_rollups';
    return { table, group: 'value', where: ` AND key = ${bind(groupBy.metadata)}` };
  }
  const table = unit === 'minute' ? 'request_log_rollups' : 'request_log_hourly_rollups';
  return { table, group: groupBy ? `NULLIF(${GROUP_COLUMNS[groupBy]}, '')` : 'NULL::text', where: '' };
}

/**
 * The rollups of one project's request logs (kept by the log writer, per minute, per hour and, by key and customer,
 * per day), summed per time bucket and group (a metadata key: its metadata rollups). Long ranges read the hourly
 * rows, a day series by key or customer the daily ones (see rollupRanges and rollupSource).
 */
export class RequestLogRollupsRepository {
  constructor(private readonly ds: DataSource) {}

  async summary(projectId: string, q: AnalyticsQuery): Promise<AnalyticsRow[]> {
    const params: unknown[] = [projectId, q.interval];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const ranges = rollupRanges(q);
    const part = (unit: RollupUnit, [a, b]: [Date, Date]) => {
      const { table, group, where } = rollupSource(q.groupBy, unit, bind);
      return `SELECT bucket, ${group} AS g, ${MEASURES} FROM ${table} WHERE project_id = $1${where} AND bucket >= ${bind(a)} AND bucket < ${bind(b)}`;
    };
    const parts = [
      ...ranges.minutes.map((r) => part('minute', r)), ...ranges.hours.map((r) => part('hour', r)), ...(ranges.days ? [part('day', ranges.days)] : []),
    ];
    const sql = `SELECT date_trunc($2, bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, g AS "group",
         sum(requests)::text AS requests, sum(errors)::text AS errors, sum(cached)::text AS cached,
         sum(tokens_input)::text AS tokens_input, sum(tokens_cache_read)::text AS tokens_cache_read,
         sum(tokens_cache_write)::text AS tokens_cache_write, sum(tokens_reasoning)::text AS tokens_reasoning,
         sum(tokens_output)::text AS tokens_output, sum(cost)::text AS cost, sum(duration_ms)::text AS duration_ms,
         ${histogramReadSumSql('duration_hist')}::text AS duration_hist, ${histogramReadSumSql('ttfb_hist')}::text AS ttfb_hist
       FROM (${parts.join('\n       UNION ALL ')}) r
       GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST`;
    // Over daily rows (a few thousand), parallel workers cost more than they save: their start, and the partial
    // sums they hand over (bench/log-ingest/analytics-customers.mjs).
    const rows: TextHistograms<AnalyticsRow>[] = !ranges.days
      ? await this.ds.query(sql, params)
      : await this.ds.transaction(async (m) => {
        await m.query('SET LOCAL max_parallel_workers_per_gather = 0');
        return m.query(sql, params);
      });
    return rows.map((r) => ({ ...r, duration_hist: histogramFromText(r.duration_hist), ttfb_hist: histogramFromText(r.ttfb_hist) }));
  }
}
