import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Tenancy1763800000000 implements MigrationInterface {
  name = 'Tenancy1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        quota_monthly_requests bigint CHECK (quota_monthly_requests >= 0),
        quota_monthly_spend_usd numeric(14,6) CHECK (quota_monthly_spend_usd >= 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE projects (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        slug text NOT NULL CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'),
        name text NOT NULL,
        is_default boolean NOT NULL DEFAULT false,
        retention_days integer NOT NULL DEFAULT 30 CHECK (retention_days BETWEEN 1 AND 3650),
        webhook_secret_sealed text NOT NULL,
        cache_ttl integer NOT NULL CHECK (cache_ttl BETWEEN 0 AND 2592000),
        cache_invalidate_on_update boolean NOT NULL,
        collect_logs boolean NOT NULL,
        rate_limiting_interval integer NOT NULL CHECK (rate_limiting_interval BETWEEN 0 AND 86400),
        rate_limiting_limit integer NOT NULL CHECK (rate_limiting_limit >= 0),
        rate_limiting_technique text NOT NULL CHECK (rate_limiting_technique IN ('fixed','sliding')),
        authentication boolean NOT NULL,
        dlp jsonb,
        log_management integer CHECK (log_management BETWEEN 10000 AND 10000000),
        log_management_strategy text CHECK (log_management_strategy IN ('STOP_INSERTING','DELETE_OLDEST')),
        otel jsonb NOT NULL DEFAULT '[]'::jsonb,
        retry_backoff text NOT NULL CHECK (retry_backoff IN ('constant','linear','exponential')),
        retry_delay integer NOT NULL CHECK (retry_delay BETWEEN 0 AND 5000),
        retry_max_attempts integer NOT NULL CHECK (retry_max_attempts BETWEEN 1 AND 5),
        zdr boolean NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, slug)
      )`);
    await q.query(`CREATE UNIQUE INDEX projects_one_default ON projects (organization_id) WHERE is_default`);
    await q.query(`
      CREATE TABLE access_keys (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        project_id uuid REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        preview text NOT NULL,
        admin boolean NOT NULL DEFAULT false,
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX access_keys_org ON access_keys (organization_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE connections (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        provider text NOT NULL,
        name text NOT NULL,
        slug text NOT NULL CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'),
        credentials_sealed text NOT NULL,
        credentials_key_id text NOT NULL,
        secret_preview text NOT NULL,
        base_url text,
        is_default boolean NOT NULL DEFAULT false,
        rate_limit integer CHECK (rate_limit > 0),
        rate_limit_period integer CHECK (rate_limit_period > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, slug)
      )`);
    await q.query(`CREATE UNIQUE INDEX connections_one_default ON connections (organization_id, provider) WHERE is_default`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE connections`);
    await q.query(`DROP TABLE access_keys`);
    await q.query(`DROP TABLE projects`);
    await q.query(`DROP TABLE organizations`);
  }
}
