import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a connection's `base_url` was set by the operator (the admin token), who may point it at private,
 * loopback or link-local hosts; one an organization's admin key set is checked after DNS resolution on every
 * upstream connection. Connections saved before this migration keep working as they did (trusted).
 */
export class ConnectionBaseUrlTrust1796516717728 implements MigrationInterface {
  name = 'ConnectionBaseUrlTrust1796516717728';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE connections ADD COLUMN base_url_trusted boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE connections SET base_url_trusted = true WHERE base_url IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE connections DROP COLUMN base_url_trusted`);
  }
}
