import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Saved load-balance groups of a project (Keywords AI `load_balance_group.group_id`) and the project's circuit breaker settings. */
export class LoadBalancing1796522400000 implements MigrationInterface {
  name = 'LoadBalancing1796522400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE load_balance_groups (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL,
        strategy text NOT NULL DEFAULT 'weighted',
        sticky_key text NOT NULL DEFAULT 'customer_identifier',
        models jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project_id, name)
      )`);
    await q.query(`ALTER TABLE projects ADD COLUMN circuit_breaker jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE projects DROP COLUMN circuit_breaker`);
    await q.query(`DROP TABLE load_balance_groups`);
  }
}
