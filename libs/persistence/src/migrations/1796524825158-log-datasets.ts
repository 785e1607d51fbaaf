import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cloudflare's datasets and evaluations of a gateway (= project):
 * - `log_datasets`: a saved log filter (Cloudflare filter objects, ANDed). Its logs are never copied: they are the
 *   project's logs matching the filters when asked, so a dataset grows as logs arrive.
 * - `log_evaluations`: an evaluation over datasets (a snapshot of their definitions at creation, so deleting or
 *   changing a dataset does not change an evaluation) with the evaluation types asked for and, once computed, the
 *   number of distinct logs and one result per type (`results`, the Cloudflare result objects).
 * Both go with their project (foreign key, ON DELETE CASCADE).
 */
export class LogDatasets1796524825158 implements MigrationInterface {
  name = 'LogDatasets1796524825158';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE log_datasets (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL,
        enable boolean NOT NULL,
        filters jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX log_datasets_project ON log_datasets (project_id, created_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE log_evaluations (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL,
        datasets jsonb NOT NULL,
        evaluation_type_ids text[] NOT NULL,
        processed boolean NOT NULL DEFAULT false,
        total_logs integer NOT NULL DEFAULT 0,
        results jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX log_evaluations_project ON log_evaluations (project_id, created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS log_evaluations`);
    await q.query(`DROP TABLE IF EXISTS log_datasets`);
  }
}
