import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LATENCY_BOUNDS_MS } from '../repositories/latency-histogram';
import { deleteProjectData, ROLLUP_MEASURES } from './1764300000000-request-log-rollups';

/** The tables the project-delete trigger of request logs empties before this migration. */
const TABLES = ['request_log_bodies', 'request_logs', 'request_log_counts', 'request_log_rollups'];

/**
 * Percentiles and metadata grouping for `GET /v1/analytics`, still from rollups:
 * - `duration_hist` and `ttfb_hist` on `request_log_rollups`: fixed-bucket histograms (bigint[], bucket i counts the
 *   values of `width_bucket(ms, LATENCY_BOUNDS_MS) + 1`), counted by the aggregate `request_log_hist(ms)`, merged
 *   by `request_log_hist_add(a, b)` (null-safe, elementwise) and summed over rows by `request_log_hist_sum(h)`.
 *   Rows written before this migration have none (their percentiles are not known).
 * - `request_log_metadata_rollups`: the same measures per project, minute, metadata key and value (the scalar
 *   entries of a record's metadata), for `group_by=metadata.<key>`.
 */
export class RequestLogRollupPercentiles1796515565255 implements MigrationInterface {
  name = 'RequestLogRollupPercentiles1796515565255';

  async up(q: QueryRunner): Promise<void> {
    const bounds = `'{${LATENCY_BOUNDS_MS.join(',')}}'::integer[]`;
    await q.query(`
      CREATE FUNCTION request_log_hist_add(a bigint[], b bigint[]) RETURNS bigint[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN a IS NULL THEN b WHEN b IS NULL THEN a
          ELSE (SELECT array_agg(COALESCE(x, 0) + COALESCE(y, 0) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)) END
      $$`);
    await q.query(`CREATE AGGREGATE request_log_hist_sum(bigint[]) (SFUNC = request_log_hist_add, STYPE = bigint[], PARALLEL = SAFE)`);
    await q.query(`
      CREATE FUNCTION request_log_hist_step(h bigint[], ms integer) RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
      DECLARE i integer;
      BEGIN
        IF ms IS NULL THEN RETURN h; END IF;
        IF h IS NULL THEN h := array_fill(0::bigint, ARRAY[${LATENCY_BOUNDS_MS.length + 1}]); END IF;
        i := width_bucket(ms, ${bounds}) + 1;
        h[i] := h[i] + 1;
        RETURN h;
      END $$`);
    await q.query(`CREATE AGGREGATE request_log_hist(integer) (SFUNC = request_log_hist_step, STYPE = bigint[], PARALLEL = SAFE)`);
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
    await q.query(`DROP AGGREGATE IF EXISTS request_log_hist(integer)`);
    await q.query(`DROP FUNCTION IF EXISTS request_log_hist_step(bigint[], integer)`);
    await q.query(`DROP AGGREGATE IF EXISTS request_log_hist_sum(bigint[])`);
    await q.query(`DROP FUNCTION IF EXISTS request_log_hist_add(bigint[], bigint[])`);
  }
}
