import type { MigrationInterface, QueryRunner } from 'typeorm';
import { deleteProjectData, ROLLUP_MEASURES } from './1764300000000-request-log-rollups';

/** The tables the project-delete trigger of request logs empties before this migration. */
const TABLES = ['request_log_bodies', 'request_logs', 'request_log_counts', 'request_log_rollups'];

/**
 * Percentiles and metadata grouping for `GET /v1/analytics`, still from rollups:
 * - `duration_hist` and `ttfb_hist` on `request_log_rollups`: fixed-bucket histograms (bigint[], element i counts
 *   the values of `width_bucket(ms, LATENCY_BOUNDS_MS) + 1`, see repositories/latency-histogram.ts), counted and
 *   summed with built-in aggregates by the writer and the analytics query, merged on a rollup conflict by
 *   `request_log_hist_add(a, b)` (null-safe, elementwise). Rows written before this migration have none (their
 *   percentiles are not known).
 * - `request_log_metadata_rollups`: the same measures per project, minute, metadata key and value (the scalar
 *   entries of a record's metadata), for `group_by=metadata.<key>`.
 */
export class RequestLogRollupPercentiles1796515565255 implements MigrationInterface {
  name = 'RequestLogRollupPercentiles1796515565255';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION request_log_hist_add(a bigint[], b bigint[]) RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      BEGIN
        IF a IS NULL THEN RETURN b; END IF;
        IF b IS NULL THEN RETURN a; END IF;
        FOR i IN 1..array_length(b, 1) LOOP a[i] := a[i] + b[i]; END LOOP;
        RETURN a;
      END $$`);
    await q.query(`ALTER TABLE request_log_rollups ADD COLUMN duration_hist bigint[], ADD COLUMN ttfb_hist bigint[]`);
    await q.query(`
      CREATE TABLE request_log_metadata_rollups (
        project_id uuid NOT NULL,
        key text NOT NULL,
        bucket timestamptz NOT NULL,
        value text NOT NULL,
        ${ROLLUP_MEASURES}
        duration_hist bigint[],
        ttfb_hist bigint[],
        PRIMARY KEY (project_id, key, bucket, value)
      )`);
    await q.query(deleteProjectData([...TABLES, 'request_log_metadata_rollups']));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(deleteProjectData(TABLES));
    await q.query(`DROP TABLE IF EXISTS request_log_metadata_rollups`);
    await q.query(`ALTER TABLE request_log_rollups DROP COLUMN IF EXISTS duration_hist, DROP COLUMN IF EXISTS ttfb_hist`);
    await q.query(`DROP FUNCTION IF EXISTS request_log_hist_add(bigint[], bigint[])`);
  }
}
