import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The rollup tables the log writer upserts for every batch. */
export const ROLLUP_TABLES = [
  'request_log_rollups',
  'request_log_hourly_rollups',
  'request_log_metadata_rollups',
  'request_log_metadata_hourly_rollups',
  'request_log_dimension_hourly_rollups',
  'request_log_dimension_daily_rollups',
];

/**
 * The rollup tables keep 40 % of each page free (`fillfactor = 60`). A rollup row is about 1 KB (two 55-bucket
 * histograms), and the log writer updates the current minute's, hour's and day's rows with every batch: on full pages
 * (the default 100) most of those updates had to put the new row version on another page and add an entry to the
 * primary key for it (5-13 % of the minute and key/customer updates were HOT), with the room left they stay on the
 * page and write no index entry (98-99 % HOT). The writer's PostgreSQL CPU per 1,000 records fell by about a tenth
 * (bench/README.md, "Rollup pages with room for their updates"). The tables take up to 1/0.6 of the space
 * on new pages; pages already written are not rewritten (a `VACUUM FULL` would).
 */
export class RequestLogRollupsFillfactor1796570000000 implements MigrationInterface {
  name = 'RequestLogRollupsFillfactor1796570000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ROLLUP_TABLES) await q.query(`ALTER TABLE ${table} SET (fillfactor = 60)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ROLLUP_TABLES) await q.query(`ALTER TABLE ${table} RESET (fillfactor)`);
  }
}
