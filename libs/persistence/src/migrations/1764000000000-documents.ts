import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Documents1764000000000 implements MigrationInterface {
  name = 'Documents1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE document_files (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        job_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('upload','page')),
        page integer,
        content_type text NOT NULL,
        size bigint NOT NULL DEFAULT 0,
        sha256 text,
        complete boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX document_files_job ON document_files (job_id, kind, page)`);
    await q.query(`
      CREATE TABLE document_file_chunks (
        file_id uuid NOT NULL REFERENCES document_files(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (file_id, seq)
      )`);
    await q.query(`
      CREATE TABLE document_jobs (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        key_id uuid,
        type text NOT NULL CHECK (type IN ('parse','extract')),
        status text NOT NULL CHECK (status IN ('queued','running','succeeded','failed','canceled')),
        options jsonb NOT NULL,
        file_id uuid,
        file_name text,
        content_type text,
        source_job_id uuid,
        pages jsonb,
        pages_total integer,
        pages_done integer NOT NULL DEFAULT 0,
        result jsonb,
        usage jsonb NOT NULL DEFAULT '{"input_tokens":0,"output_tokens":0,"cost":0}'::jsonb,
        error jsonb,
        webhook_url text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX document_jobs_project ON document_jobs (project_id, id DESC)`);
    await q.query(`CREATE INDEX document_jobs_finished ON document_jobs (finished_at) WHERE finished_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE document_pages (
        job_id uuid NOT NULL REFERENCES document_jobs(id) ON DELETE CASCADE,
        page integer NOT NULL,
        idx integer NOT NULL,
        markdown text NOT NULL,
        method text NOT NULL CHECK (method IN ('text','ocr')),
        model text,
        input_tokens integer NOT NULL DEFAULT 0,
        output_tokens integer NOT NULL DEFAULT 0,
        cost numeric(14,8) NOT NULL DEFAULT 0,
        attempts integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (job_id, page)
      )`);
    await q.query(`
      CREATE TABLE document_templates (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        description text,
        template jsonb,
        schema jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project_id, name)
      )`);
    await q.query(`
      CREATE TABLE document_webhook_deliveries (
        id uuid PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES document_jobs(id) ON DELETE CASCADE,
        project_id uuid NOT NULL,
        attempt integer NOT NULL,
        url text NOT NULL,
        status_code integer,
        error text,
        duration_ms integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX document_webhook_deliveries_job ON document_webhook_deliveries (job_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document_webhook_deliveries`);
    await q.query(`DROP TABLE document_templates`);
    await q.query(`DROP TABLE document_pages`);
    await q.query(`DROP TABLE document_jobs`);
    await q.query(`DROP TABLE document_file_chunks`);
    await q.query(`DROP TABLE document_files`);
  }
}
