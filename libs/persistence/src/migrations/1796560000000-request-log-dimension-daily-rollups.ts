import type { MigrationInterface, QueryRunner } from 'typeorm';
import { deleteProjectData } from './1764300000000-request-log-rollups';
import { MEASURE_COLUMNS, SUMS, TABLES as TABLES_BEFORE_HOURLY } from './1796525601291-request-log-hourly-rollups';

/** The tables the project-delete trigger of request logs empties before this migration. */
const TABLES = [...TABLES_BEFORE_HOURLY, 'request_log_hourly_rollups', 'request_log_metadata_hourly_rollups', 'request_log_dimension_hourly_rollups'];

/**
 * Daily rollups for the key and customer groupings, `request_log_dimension_daily_rollups` (per project, dimension,
 * UTC day and value, as the hourly ones): a day series grouped by key or customer reads one row per value and day
 * for the whole days of its range instead of 24 hourly rows (30 days by 100 customers: 3,000 rows, not 72,100,
 * each summing two 54-bucket histograms). The log writer raises it in the statement that inserts the logs; this
 * migration fills it from the hourly rows.
 */
export class RequestLogDimensionDailyRollups1796560000000 implements MigrationInterface {
  name = 'RequestLogDimensionDailyRollups1796560000000';

  async up(q: QueryRunner): Promise<void> {
    // The hourly table's shape (columns, compression, primary key), one row per day instead of per hour.
    await q.query(`CREATE TABLE request_log_dimension_daily_rollups (LIKE request_log_dimension_hourly_rollups INCLUDING ALL)`);
    const day = `date_trunc('day', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
    await q.query(`
      INSERT INTO request_log_dimension_daily_rollups (project_id, dimension, bucket, value, ${MEASURE_COLUMNS})
      SELECT project_id, dimension, ${day}, value, ${SUMS}
      FROM request_log_dimension_hourly_rollups GROUP BY 1, 2, 3, 4`);
    await q.query(deleteProjectData([...TABLES, 'request_log_dimension_daily_rollups']));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(deleteProjectData(TABLES));
    await q.query(`DROP TABLE IF EXISTS request_log_dimension_daily_rollups`);
  }
}
