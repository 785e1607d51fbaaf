import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Request logs: one row per gateway request in `request_logs`, its bodies apart in `request_log_bodies`.
 * Both are partitioned by day on `created_at` (UTC days, partitions named `<table>_YYYYMMDD`), so retention
 * drops whole partitions instead of running long deletes. `request_log_ensure_partitions(days)` creates
 * the missing day partitions of both tables (serialized by an advisory lock, so concurrent writers do not
 * race); the writer creates the coming days ahead, and the insert creates the days of a batch that
 * finds one missing (a record from another day) and retries, so a record never lacks its partition.
 * A unique key on a partitioned table must contain the partition key: `(id, created_at)`, where `created_at`
 * comes from the record itself, so a record written twice is stored once.
 * Like spans, no foreign key to `projects` (a per-row check on every insert): the writer key-share locks the
 * projects of a batch once per statement, and deleting a project deletes its logs through a trigger.
 */
export class RequestLogs1764200000000 implements MigrationInterface {
  name = 'RequestLogs1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE request_logs (
        id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        project_id uuid NOT NULL,
        organization_id uuid NOT NULL,
        request_id text NOT NULL,
        event_id text,
        key_id text,
        customer_identifier text,
        thread_identifier text,
        custom_identifier text,
        document_job_id text,
        path text NOT NULL,
        request_type text NOT NULL,
        model_requested text NOT NULL,
        model text,
        provider text,
        connection_id text,
        status_code smallint NOT NULL,
        success boolean NOT NULL,
        cached boolean NOT NULL,
        step smallint,
        attempts jsonb NOT NULL,
        tokens_input bigint NOT NULL,
        tokens_cache_read bigint NOT NULL,
        tokens_cache_write bigint NOT NULL,
        tokens_reasoning bigint NOT NULL,
        tokens_output bigint NOT NULL,
        tokens_in bigint GENERATED ALWAYS AS (tokens_input + tokens_cache_read + tokens_cache_write) STORED,
        tokens_out bigint GENERATED ALWAYS AS (tokens_reasoning + tokens_output) STORED,
        tokens bigint GENERATED ALWAYS AS (tokens_input + tokens_cache_read + tokens_cache_write + tokens_reasoning + tokens_output) STORED,
        cost numeric,
        custom_cost boolean NOT NULL,
        duration_ms integer NOT NULL,
        ttfb_ms integer,
        stream boolean NOT NULL,
        metadata jsonb NOT NULL,
        routing jsonb,
        error_code text,
        dlp jsonb,
        request_content_type text,
        response_content_type text,
        has_bodies boolean NOT NULL,
        feedback smallint CHECK (feedback IN (-1, 1)),
        score numeric,
        PRIMARY KEY (id, created_at)
      ) PARTITION BY RANGE (created_at)`);
    // Listing: a project's newest first, and the filters that narrow it most; every index leads with the project.
    await q.query(`CREATE INDEX request_logs_project_created ON request_logs (project_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX request_logs_project_model ON request_logs (project_id, model, created_at DESC)`);
    await q.query(`CREATE INDEX request_logs_project_customer ON request_logs (project_id, customer_identifier, created_at DESC)`);
    await q.query(`CREATE INDEX request_logs_project_event ON request_logs (project_id, event_id) WHERE event_id IS NOT NULL`);
    await q.query(`CREATE INDEX request_logs_project_failed ON request_logs (project_id, created_at DESC) WHERE NOT success`);
    await q.query(`CREATE INDEX request_logs_metadata ON request_logs USING gin (metadata jsonb_path_ops)`);
    await q.query(`
      CREATE TABLE request_log_bodies (
        log_id uuid NOT NULL,
        created_at timestamptz NOT NULL,
        project_id uuid NOT NULL,
        request text,
        response text,
        request_content_type text NOT NULL,
        response_content_type text NOT NULL,
        request_bytes integer NOT NULL,
        response_bytes integer NOT NULL,
        truncated boolean NOT NULL,
        PRIMARY KEY (log_id, created_at)
      ) PARTITION BY RANGE (created_at)`);
    // Stored logs per project, maintained by every insert and delete in the same statement or transaction:
    // how `log_management` is enforced without a count(*) per insert.
    await q.query(`CREATE TABLE request_log_counts (project_id uuid PRIMARY KEY, stored bigint NOT NULL DEFAULT 0)`);
    await q.query(`
      CREATE FUNCTION request_log_ensure_partitions(days date[]) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        d date;
        t text;
        created integer := 0;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('request_log_partitions'));
        FOREACH d IN ARRAY days LOOP
          FOREACH t IN ARRAY ARRAY['request_logs', 'request_log_bodies'] LOOP
            IF to_regclass(format('%s_%s', t, to_char(d, 'YYYYMMDD'))) IS NULL THEN
              EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                format('%s_%s', t, to_char(d, 'YYYYMMDD')), t, d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
              created := created + 1;
            END IF;
          END LOOP;
        END LOOP;
        RETURN created;
      END $$`);
    await q.query(`SELECT request_log_ensure_partitions(ARRAY(SELECT generate_series(0, 7) + (now() AT TIME ZONE 'UTC')::date - 1))`);
    await q.query(`
      CREATE FUNCTION request_logs_delete_project_data() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM request_log_bodies WHERE project_id = OLD.id;
        DELETE FROM request_logs WHERE project_id = OLD.id;
        DELETE FROM request_log_counts WHERE project_id = OLD.id;
        RETURN OLD;
      END $$`);
    await q.query(`
      CREATE TRIGGER projects_delete_request_logs AFTER DELETE ON projects
      FOR EACH ROW EXECUTE FUNCTION request_logs_delete_project_data()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS projects_delete_request_logs ON projects`);
    await q.query(`DROP FUNCTION IF EXISTS request_logs_delete_project_data()`);
    await q.query(`DROP FUNCTION IF EXISTS request_log_ensure_partitions(date[])`);
    await q.query(`DROP TABLE IF EXISTS request_log_counts`);
    await q.query(`DROP TABLE IF EXISTS request_log_bodies`);
    await q.query(`DROP TABLE IF EXISTS request_logs`);
  }
}
