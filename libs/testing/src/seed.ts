import { httpJson } from './http';

export interface SeededTenant {
  organizationId: string;
  projectId: string;
  /** A project-scoped key of the default project. */
  projectKey: string;
  /** An organization-scoped key. */
  orgKey: string;
  connectionId?: string;
}

/**
 * Creates an organization (with its default project), a project key, an org key and optionally a
 * connection, through the admin API of a running router: the seeded-session helper of every e2e suite.
 */
export async function seedTenant(
  routerUrl: string,
  adminToken: string,
  connection?: { provider: string; slug: string; credentials: Record<string, unknown>; base_url?: string; is_default?: boolean },
): Promise<SeededTenant> {
  const org = await httpJson(`${routerUrl}/v1/admin/organizations`, { token: adminToken, body: { name: `org-${Date.now()}` } });
  if (org.status !== 201) throw new Error(`create organization: ${org.status} ${org.text}`);
  const projectKey = await httpJson(`${routerUrl}/v1/admin/access-keys`, {
    token: adminToken,
    body: { organization_id: org.body.id, project_id: org.body.default_project_id, name: 'project key' },
  });
  const orgKey = await httpJson(`${routerUrl}/v1/admin/access-keys`, {
    token: adminToken,
    body: { organization_id: org.body.id, name: 'org key' },
  });
  if (projectKey.status !== 201 || orgKey.status !== 201) throw new Error(`create keys: ${projectKey.text} ${orgKey.text}`);
  const seeded: SeededTenant = {
    organizationId: org.body.id,
    projectId: org.body.default_project_id,
    projectKey: projectKey.body.key,
    orgKey: orgKey.body.key,
  };
  if (connection) {
    const conn = await httpJson(`${routerUrl}/v1/admin/connections`, {
      token: adminToken,
      body: { organization_id: org.body.id, name: connection.slug, is_default: true, ...connection },
    });
    if (conn.status !== 201) throw new Error(`create connection: ${conn.status} ${conn.text}`);
    seeded.connectionId = conn.body.id;
  }
  return seeded;
}
