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

/** The per-minute rollups of one project's request logs (kept by the log writer), summed per time bucket and group (a metadata key: its metadata rollups). */
export class RequestLogRollupsRepository {
  constructor(private readonly ds: DataSource) {}

  summary(projectId: string, q: AnalyticsQuery): Promise<AnalyticsRow[]> {
    const byMetadata = typeof q.groupBy === 'object';
    const group = byMetadata ? 'value' : q.groupBy ? `NULLIF(${GROUP_COLUMNS[q.groupBy as keyof typeof GROUP_COLUMNS]}, '')` : 'NULL::text';
    const source = byMetadata ? `request_log_metadata_rollups WHERE project_id = $1 AND key = $5 AND` : `request_log_rollups WHERE project_id = $1 AND`;
    const params: unknown[] = [projectId, q.interval, q.from, q.to];
    if (typeof q.groupBy === 'object') params.push(q.groupBy.metadata);
    return this.ds.query(
      `SELECT date_trunc($2, bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, ${group} AS "group",
         sum(requests)::text AS requests, sum(errors)::text AS errors, sum(cached)::text AS cached,
         sum(tokens_input)::text AS tokens_input, sum(tokens_cache_read)::text AS tokens_cache_read,
         sum(tokens_cache_write)::text AS tokens_cache_write, sum(tokens_reasoning)::text AS tokens_reasoning,
         sum(tokens_output)::text AS tokens_output, sum(cost)::text AS cost, sum(duration_ms)::text AS duration_ms,
         ${histogramSumSql('duration_hist')} AS duration_hist, ${histogramSumSql('ttfb_hist')} AS ttfb_hist
       FROM ${source} bucket >= $3 AND bucket < $4
       GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST`,
      params,
    );
  }
}
