import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * LLMOps configs of a project: variants with numbered versions (model, system prompt template, parameters) and
 * targeting rules (priority, weight, JSONLogic conditions, environment) pointing to a variant, pinned or latest.
 */
export class Configs1796524855485 implements MigrationInterface {
  name = 'Configs1796524855485';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE configs (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        slug text NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project_id, slug)
      )`);
    await q.query(`
      CREATE TABLE config_variants (
        id uuid PRIMARY KEY,
        config_id uuid NOT NULL REFERENCES configs(id) ON DELETE CASCADE,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (config_id, name)
      )`);
    await q.query(`
      CREATE TABLE config_variant_versions (
        id uuid PRIMARY KEY,
        variant_id uuid NOT NULL REFERENCES config_variants(id) ON DELETE CASCADE,
        version int NOT NULL,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (variant_id, version)
      )`);
    await q.query(`
      CREATE TABLE config_rules (
        id uuid PRIMARY KEY,
        config_id uuid NOT NULL REFERENCES configs(id) ON DELETE CASCADE,
        variant_id uuid NOT NULL REFERENCES config_variants(id) ON DELETE CASCADE,
        variant_version_id uuid REFERENCES config_variant_versions(id) ON DELETE CASCADE,
        environment text,
        priority int NOT NULL,
        weight int NOT NULL,
        conditions jsonb,
        enabled boolean NOT NULL,
        position int NOT NULL
      )`);
    await q.query(`CREATE INDEX config_rules_config ON config_rules (config_id, position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE config_rules`);
    await q.query(`DROP TABLE config_variant_versions`);
    await q.query(`DROP TABLE config_variants`);
    await q.query(`DROP TABLE configs`);
  }
}
