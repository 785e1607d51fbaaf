import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Runs `ALTER TABLE <t> <action>` on `request_log_bodies` and each of its day partitions (PostgreSQL 15 does not recurse SET COMPRESSION). */
const onBodyTables = (action: string) => `
  FOR t IN SELECT 'request_log_bodies'::regclass UNION ALL SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'request_log_bodies'::regclass LOOP
    EXECUTE format('ALTER TABLE %s ${action}', t);
  END LOOP;`;

/**
 * What the log writer pays per stored record, cut where nothing needs it:
 * - `request_logs_metadata`, the GIN index on `metadata` (`jsonb_path_ops`), is dropped: no query uses `@>` (the
 *   listing's `metadata.key` / `metadata.value` filters read `jsonb_each_text` over the rows the project and time
 *   indexes narrowed), yet every inserted log maintained it.
 * - The bodies' `request` and `response` are compressed with lz4 instead of pglz (TOAST compresses a row of about
 *   2 KB and more), on the table, its existing day partitions and (inherited) the partitions created later. Rows
 *   already stored keep pglz, which PostgreSQL still reads. A server built without lz4 keeps pglz (a notice).
 */
export class RequestLogIngestCost1796556727406 implements MigrationInterface {
  name = 'RequestLogIngestCost1796556727406';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS request_logs_metadata`);
    await q.query(`
      DO $$
      DECLARE t regclass;
      BEGIN
        ${onBodyTables('ALTER COLUMN request SET COMPRESSION lz4, ALTER COLUMN response SET COMPRESSION lz4')}
      EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'lz4 is not supported by this server: request log bodies stay compressed with pglz';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE t regclass;
      BEGIN
        ${onBodyTables('ALTER COLUMN request SET COMPRESSION pglz, ALTER COLUMN response SET COMPRESSION pglz')}
      END $$`);
    await q.query(`CREATE INDEX IF NOT EXISTS request_logs_metadata ON request_logs USING gin (metadata jsonb_path_ops)`);
  }
}
