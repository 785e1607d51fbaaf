import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dynamic routes of a project (Cloudflare: routes of a gateway): every save is a version holding the element
 * JSON; a deployment makes one version live (the route's `deployed_version_id`) and is kept as history.
 */
export class DynamicRoutes1796519981131 implements MigrationInterface {
  name = 'DynamicRoutes1796519981131';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dynamic_routes (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL,
        deployed_version_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        modified_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project_id, name)
      )`);
    await q.query(`
      CREATE TABLE dynamic_route_versions (
        id uuid PRIMARY KEY,
        route_id uuid NOT NULL REFERENCES dynamic_routes(id) ON DELETE CASCADE,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dynamic_route_versions_route ON dynamic_route_versions (route_id, created_at)`);
    await q.query(`
      CREATE TABLE dynamic_route_deployments (
        id uuid PRIMARY KEY,
        route_id uuid NOT NULL REFERENCES dynamic_routes(id) ON DELETE CASCADE,
        version_id uuid NOT NULL REFERENCES dynamic_route_versions(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX dynamic_route_deployments_route ON dynamic_route_deployments (route_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dynamic_route_deployments`);
    await q.query(`DROP TABLE dynamic_route_versions`);
    await q.query(`DROP TABLE dynamic_routes`);
  }
}
