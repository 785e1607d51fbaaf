import type { TenantDirectory } from '@switchyard/auth';
import { notFound, serviceUnavailable, type KeyPrincipal } from '@switchyard/types';
import { ProjectScope } from './project-scope';

const ORG = '0190a6f0-0000-7000-8000-000000000001';
const OTHER_ORG = '0190a6f0-0000-7000-8000-000000000002';
type Snapshot = Awaited<ReturnType<TenantDirectory['projectBySlug']>>;

describe('ProjectScope', () => {
  const scopeWith = (projectBySlug: TenantDirectory['projectBySlug']) => new ProjectScope({ projectBySlug } as TenantDirectory);

  it("answers a project key's own project, and for the admin token the named one through the directory", async () => {
    const lookup = jest.fn(async () => ({ id: 'p-uuid' }) as Awaited<ReturnType<TenantDirectory['projectBySlug']>>);
    const scope = scopeWith(lookup);
    expect(await scope.projectIdOf({ kind: 'key', keyId: 'k', organizationId: ORG, projectId: 'p-own', admin: false }, {})).toBe('p-own');
    expect(await scope.projectIdOf({ kind: 'admin' }, { query: `${ORG.toUpperCase()}/support` })).toBe('p-uuid');
    expect(lookup).toHaveBeenCalledWith(ORG, 'support');
    await expect(scope.projectIdOf({ kind: 'admin' }, { query: 'support' })).rejects.toMatchObject({ status: 400, param: 'project' });
  });

  it('is a 404 for an unknown project and a 503, not a 404, while the tenant database is unreachable', async () => {
    const missing = scopeWith(async () => {
      throw notFound("Project 'nope' does not exist in this organization.", 'project_not_found', 'project');
    });
    await expect(missing.projectIdOf({ kind: 'admin' }, { query: `${ORG}/nope` })).rejects.toMatchObject({ status: 404 });
    const down = scopeWith(async () => {
      throw serviceUnavailable('The tenant database is unreachable; retry later.', 'database_unavailable');
    });
    await expect(down.projectIdOf({ kind: 'admin' }, { query: `${ORG}/support` })).rejects.toMatchObject({ status: 503, code: 'database_unavailable' });
  });

  describe('an organization key with admin', () => {
    const orgAdmin: KeyPrincipal = { kind: 'key', keyId: 'k', organizationId: ORG, projectId: null, admin: true };
    const withProjectFor = () => {
      const projectFor = jest.fn(async (_p: KeyPrincipal, slug?: string | null) => ({ id: `uuid-of-${slug ?? 'default'}` }) as Snapshot);
      return { projectFor, scope: new ProjectScope({ projectFor } as unknown as TenantDirectory) };
    };

    it('acts on the project of its organization named by x-gateway-project, else the default one', async () => {
      const { projectFor, scope } = withProjectFor();
      expect(await scope.projectIdOf(orgAdmin, { header: 'support' })).toBe('uuid-of-support');
      expect(projectFor).toHaveBeenLastCalledWith(orgAdmin, 'support');
      expect(await scope.projectIdOf(orgAdmin, {})).toBe('uuid-of-default');
    });

    it('takes ?project=<its organization>/<slug> as the admin token sends it, and refuses another organization with 403', async () => {
      const { projectFor, scope } = withProjectFor();
      expect(await scope.projectIdOf(orgAdmin, { query: `${ORG.toUpperCase()}/support`, header: 'support' })).toBe('uuid-of-support');
      await expect(scope.projectIdOf(orgAdmin, { query: `${OTHER_ORG}/support` })).rejects.toMatchObject({ status: 403, code: 'organization_mismatch' });
      await expect(scope.projectIdOf(orgAdmin, { query: `${ORG}/support`, header: 'billing' })).rejects.toMatchObject({ status: 400, param: 'x-gateway-project' });
      await expect(scope.projectIdOf(orgAdmin, { query: 'support' })).rejects.toMatchObject({ status: 400, param: 'project' });
      expect(projectFor).toHaveBeenCalledTimes(1);
    });
  });
});
