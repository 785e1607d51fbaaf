import type { MigrationInterface, QueryRunner } from 'typeorm';
import { histogramSumSql } from '../repositories/latency-histogram';
import { deleteProjectData, ROLLUP_MEASURES } from './1764300000000-request-log-rollups';

/** The tables the project-delete trigger of request logs empties before this migration. */
export const TABLES = ['request_log_bodies', 'request_logs', 'request_log_counts', 'request_log_rollups', 'request_log_metadata_rollups'];

export const SUMS = `sum(requests), sum(errors), sum(cached), sum(tokens_input), sum(tokens_cache_read), sum(tokens_cache_write),
  sum(tokens_reasoning), sum(tokens_output), sum(cost), sum(duration_ms),
  CASE WHEN count(duration_hist) > 0 THEN ${histogramSumSql('duration_hist')} END, CASE WHEN count(ttfb_hist) > 0 THEN ${histogramSumSql('ttfb_hist')} END`;
export const MEASURE_COLUMNS = `requests, errors, cached, tokens_input, tokens_cache_read, tokens_cache_write, tokens_reasoning, tokens_output, cost,
  duration_ms, duration_hist, ttfb_hist`;

/**
 * Hourly rollups beside the per-minute ones, for analytics over long ranges (30 days of minute rows is up to
 * 43,200 rows per model, provider, key and customer):
 * - `request_log_hourly_rollups`: per project, hour, model and provider only (not key or customer, whose many
 *   values would make about as many hourly rows as minute ones): what an hour or day series without a group, or
 *   grouped by model or provider, reads (at most 720 rows per model and provider for 30 days);
 * - `request_log_metadata_hourly_rollups`: per project, metadata key, hour and value.
 * The log writer raises them in the statement that inserts the logs; this migration fills them from the minute rows.
 */
export class RequestLogHourlyRollups1796525601291 implements MigrationInterface {
  name = 'RequestLogHourlyRollups1796525601291';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE request_log_hourly_rollups (
        project_id uuid NOT NULL,
        bucket timestamptz NOT NULL,
        model text NOT NULL,
        provider text NOT NULL,
        ${ROLLUP_MEASURES}
        duration_hist bigint[],
        ttfb_hist bigint[],
        PRIMARY KEY (project_id, bucket, model, provider)
      )`);
    await q.query(`
      CREATE TABLE request_log_metadata_hourly_rollups (
        project_id uuid NOT NULL,
        key text NOT NULL,
        bucket timestamptz NOT NULL,
        value text NOT NULL,
        ${ROLLUP_MEASURES}
        duration_hist bigint[],
        ttfb_hist bigint[],
        PRIMARY KEY (project_id, key, bucket, value)
      )`);
    const hour = `date_trunc('hour', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
    await q.query(`
      INSERT INTO request_log_hourly_rollups (project_id, bucket, model, provider, ${MEASURE_COLUMNS})
      SELECT project_id, ${hour}, model, provider, ${SUMS}
      FROM request_log_rollups GROUP BY 1, 2, 3, 4`);
    await q.query(`
      INSERT INTO request_log_metadata_hourly_rollups (project_id, key, bucket, value, ${MEASURE_COLUMNS})
      SELECT project_id, key, ${hour}, value, ${SUMS}
      FROM request_log_metadata_rollups GROUP BY 1, 2, 3, 4`);
    await q.query(deleteProjectData([...TABLES, 'request_log_hourly_rollups', 'request_log_metadata_hourly_rollups']));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(deleteProjectData(TABLES));
    await q.query(`DROP TABLE IF EXISTS request_log_metadata_hourly_rollups`);
    await q.query(`DROP TABLE IF EXISTS request_log_hourly_rollups`);
  }
}
