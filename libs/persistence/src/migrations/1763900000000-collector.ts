import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Collector storage: spans (one row per span, idempotent on project/trace/span), a per-trace summary
 * maintained by the writer in the same statement as the span insert, and Dynamiq SDK runs.
 * Times are kept as integer nanoseconds since the epoch (OTLP precision); the listing indexes lead
 * with the project and the start time so "the last hour of a project" is an index range scan.
 */
export class Collector1763900000000 implements MigrationInterface {
  name = 'Collector1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE spans (
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        trace_id text NOT NULL,
        span_id text NOT NULL,
        parent_span_id text,
        name text NOT NULL,
        kind smallint NOT NULL,
        service_name text,
        start_ns bigint NOT NULL,
        end_ns bigint NOT NULL,
        duration_ns bigint NOT NULL,
        status_code smallint NOT NULL,
        status_message text,
        attributes jsonb NOT NULL,
        resource jsonb NOT NULL,
        scope jsonb,
        events jsonb NOT NULL,
        links jsonb NOT NULL,
        trace_state text,
        flags integer,
        gen_ai_model text,
        gen_ai_provider text,
        input_tokens bigint,
        output_tokens bigint,
        cost numeric,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, trace_id, span_id)
      ) WITH (fillfactor = 100)`);
    await q.query(`CREATE INDEX spans_project_start ON spans (project_id, start_ns DESC)`);
    await q.query(`
      CREATE TABLE traces (
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        trace_id text NOT NULL,
        start_ns bigint NOT NULL,
        end_ns bigint NOT NULL,
        span_count integer NOT NULL,
        error_count integer NOT NULL,
        input_tokens bigint,
        output_tokens bigint,
        cost numeric,
        root_name text,
        root_service text,
        service text,
        PRIMARY KEY (project_id, trace_id)
      )`);
    await q.query(`CREATE INDEX traces_project_start ON traces (project_id, start_ns DESC, trace_id DESC)`);
    await q.query(`
      CREATE TABLE runs (
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        id text NOT NULL,
        name text NOT NULL,
        type text NOT NULL,
        trace_id text NOT NULL,
        source_id text NOT NULL,
        session_id text,
        parent_run_id text,
        status text NOT NULL,
        start_time timestamptz NOT NULL,
        end_time timestamptz NOT NULL,
        input jsonb,
        output jsonb,
        metadata jsonb,
        error jsonb,
        tags jsonb,
        executions jsonb,
        version bigint NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (project_id, id)
      )`);
    await q.query(`CREATE INDEX runs_project_start ON runs (project_id, start_time DESC, id DESC)`);
    await q.query(`CREATE INDEX runs_project_trace ON runs (project_id, trace_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS runs`);
    await q.query(`DROP TABLE IF EXISTS traces`);
    await q.query(`DROP TABLE IF EXISTS spans`);
  }
}
