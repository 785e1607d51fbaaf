import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Cloudflare gateway fields Switchyard stores and returns but does not act on (`logpush`, `logpush_public_key`,
 * `store_id`, `stripe`, `workers_ai_billing_mode`): one JSON object per project, `{}` when none was set.
 */
export class GatewayStoredFields1796519473610 implements MigrationInterface {
  name = 'GatewayStoredFields1796519473610';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE projects ADD COLUMN gateway_stored jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE projects DROP COLUMN gateway_stored`);
  }
}
