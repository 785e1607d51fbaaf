import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Custom DLP profiles of an organization (regular expressions), referenced by id from projects' `dlp` policies. */
export class DlpProfiles1796516118907 implements MigrationInterface {
  name = 'DlpProfiles1796516118907';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dlp_profiles (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        patterns jsonb NOT NULL,
        case_sensitive boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dlp_profiles_organization ON dlp_profiles (organization_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dlp_profiles`);
  }
}
