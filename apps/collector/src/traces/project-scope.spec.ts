import type { TenantDirectory } from '@switchyard/auth';
import { notFound, serviceUnavailable } from '@switchyard/types';
import { ProjectScope } from './project-scope';

const ORG = '0190a6f0-0000-7000-8000-000000000001';

describe('ProjectScope', () => {
  const scopeWith = (projectBySlug: TenantDirectory['projectBySlug']) => new ProjectScope({ projectBySlug } as TenantDirectory);

  it("answers a project key's own project, and for the admin token the named one through the directory", async () => {
    const lookup = jest.fn(async () => ({ id: 'p-uuid' }) as Awaited<ReturnType<TenantDirectory['projectBySlug']>>);
    const scope = scopeWith(lookup);
    expect(await scope.projectIdOf({ kind: 'key', keyId: 'k', organizationId: ORG, projectId: 'p-own', admin: false }, undefined)).toBe('p-own');
    expect(await scope.projectIdOf({ kind: 'admin' }, `${ORG.toUpperCase()}/support`)).toBe('p-uuid');
    expect(lookup).toHaveBeenCalledWith(ORG, 'support');
    await expect(scope.projectIdOf({ kind: 'admin' }, 'support')).rejects.toMatchObject({ status: 400, param: 'project' });
  });

  it('is a 404 for an unknown project and a 503, not a 404, while the tenant database is unreachable', async () => {
    const missing = scopeWith(async () => {
      throw notFound("Project 'nope' does not exist in this organization.", 'project_not_found', 'project');
    });
    await expect(missing.projectIdOf({ kind: 'admin' }, `${ORG}/nope`)).rejects.toMatchObject({ status: 404 });
    const down = scopeWith(async () => {
      throw serviceUnavailable('The tenant database is unreachable; retry later.', 'database_unavailable');
    });
    await expect(down.projectIdOf({ kind: 'admin' }, `${ORG}/support`)).rejects.toMatchObject({ status: 503, code: 'database_unavailable' });
  });
});
