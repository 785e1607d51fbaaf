import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The tables the project-delete trigger of request logs empties before this migration. */
const TABLES = ['request_log_bodies', 'request_logs', 'request_log_counts'];

/** The trigger function that deletes a deleted project's rows from `tables` (later migrations that add a table redefine it with this). */
export const deleteProjectData = (tables: string[]) => `
  CREATE OR REPLACE FUNCTION request_logs_delete_project_data() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    ${tables.map((t) => `DELETE FROM ${t} WHERE project_id = OLD.id;`).join('\n    ')}
    RETURN OLD;
  END $$`;

/** The measure columns of a rollup table (also those of the metadata rollups of a later migration). */
export const ROLLUP_MEASURES = `requests bigint NOT NULL, errors bigint NOT NULL, cached bigint NOT NULL, tokens_input bigint NOT NULL,
        tokens_cache_read bigint NOT NULL, tokens_cache_write bigint NOT NULL, tokens_reasoning bigint NOT NULL,
        tokens_output bigint NOT NULL, cost numeric NOT NULL, duration_ms bigint NOT NULL,`;

/**
 * Per-minute rollups of request logs, maintained by the log writer in the statement that inserts the logs (from
 * the rows actually inserted, so a redelivered batch counts once): what `GET /v1/analytics` reads instead of
 * scanning `request_logs`. Keyed by project, minute and the groupable dimensions ('' for none). Deleting logs
 * (bulk delete, retention, log_management) does not change them: they count the requests that were served.
 */
export class RequestLogRollups1764300000000 implements MigrationInterface {
  name = 'RequestLogRollups1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE request_log_rollups (
        project_id uuid NOT NULL,
        bucket timestamptz NOT NULL,
        model text NOT NULL,
        provider text NOT NULL,
        key_id text NOT NULL,
        customer_identifier text NOT NULL,
        ${ROLLUP_MEASURES}
        PRIMARY KEY (project_id, bucket, model, provider, key_id, customer_identifier)
      )`);
    await q.query(deleteProjectData([...TABLES, 'request_log_rollups']));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(deleteProjectData(TABLES));
    await q.query(`DROP TABLE IF EXISTS request_log_rollups`);
  }
}
