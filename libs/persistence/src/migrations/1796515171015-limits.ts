import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Governance limits: an access key's rpm/tpm/parallel limits, budget and allowed models; a project's spend rules
 * (at most 20, jsonb) and its choice of what happens to limits while Redis is down (rate limits fail open and
 * budgets fail closed by default). The counters themselves live in Redis.
 */
export class Limits1796515171015 implements MigrationInterface {
  name = 'Limits1796515171015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE access_keys
        ADD COLUMN rpm_limit integer,
        ADD COLUMN tpm_limit bigint,
        ADD COLUMN max_parallel_requests integer,
        ADD COLUMN max_budget numeric(14, 6),
        ADD COLUMN budget_duration text,
        ADD COLUMN models jsonb`);
    await q.query(`
      ALTER TABLE projects
        ADD COLUMN spend_rules jsonb NOT NULL DEFAULT '[]'::jsonb,
        ADD COLUMN rate_limits_fail_open boolean NOT NULL DEFAULT true,
        ADD COLUMN budgets_fail_open boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE projects DROP COLUMN spend_rules, DROP COLUMN rate_limits_fail_open, DROP COLUMN budgets_fail_open`);
    await q.query(`
      ALTER TABLE access_keys
        DROP COLUMN rpm_limit, DROP COLUMN tpm_limit, DROP COLUMN max_parallel_requests,
        DROP COLUMN max_budget, DROP COLUMN budget_duration, DROP COLUMN models`);
  }
}
