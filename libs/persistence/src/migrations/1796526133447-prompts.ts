import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Saved prompts of a project (Keywords AI prompts): numbered versions, one deployed. */
export class Prompts1796526133447 implements MigrationInterface {
  name = 'Prompts1796526133447';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE prompts (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL,
        deployed_version int,
        created_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project_id, name)
      )`);
    await q.query(`
      CREATE TABLE prompt_versions (
        id uuid PRIMARY KEY,
        prompt_id uuid NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
        version int NOT NULL,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (prompt_id, version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE prompt_versions`);
    await q.query(`DROP TABLE prompts`);
  }
}
