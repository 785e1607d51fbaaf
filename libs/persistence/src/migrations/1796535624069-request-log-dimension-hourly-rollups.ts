import type { MigrationInterface, QueryRunner } from 'typeorm';
import { deleteProjectData, ROLLUP_MEASURES } from './1764300000000-request-log-rollups';
import { MEASURE_COLUMNS, SUMS, TABLES as TABLES_BEFORE_HOURLY } from './1796525601291-request-log-hourly-rollups';

/** The tables the project-delete trigger of request logs empties before this migration. */
const TABLES = [...TABLES_BEFORE_HOURLY, 'request_log_hourly_rollups', 'request_log_metadata_hourly_rollups'];

/**
 * Hourly rollups for the key and customer groupings, so that analytics grouped by key or customer over long ranges
 * reads hourly rows too (before, only the model/provider and metadata groupings had them):
 * `request_log_dimension_hourly_rollups`, per project, dimension (`key_id` or `customer_identifier`), hour and value
 * ('' for none): one row per key or customer seen in an hour, not one per combination of model, provider, key and
 * customer. The log writer raises it in the statement that inserts the logs; this migration fills it from the
 * minute rows.
 */
export class RequestLogDimensionHourlyRollups1796535624069 implements MigrationInterface {
  name = 'RequestLogDimensionHourlyRollups1796535624069';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE request_log_dimension_hourly_rollups (
        project_id uuid NOT NULL,
        dimension text NOT NULL,
        bucket timestamptz NOT NULL,
        value text NOT NULL,
        ${ROLLUP_MEASURES}
        duration_hist bigint[],
        ttfb_hist bigint[],
        PRIMARY KEY (project_id, dimension, bucket, value)
      )`);
    const hour = `date_trunc('hour', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
    for (const dimension of ['key_id', 'customer_identifier']) {
      await q.query(`
        INSERT INTO request_log_dimension_hourly_rollups (project_id, dimension, bucket, value, ${MEASURE_COLUMNS})
        SELECT project_id, '${dimension}', ${hour}, ${dimension}, ${SUMS}
        FROM request_log_rollups GROUP BY project_id, ${hour}, ${dimension}`);
    }
    await q.query(deleteProjectData([...TABLES, 'request_log_dimension_hourly_rollups']));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(deleteProjectData(TABLES));
    await q.query(`DROP TABLE IF EXISTS request_log_dimension_hourly_rollups`);
  }
}
