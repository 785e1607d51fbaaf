import type { AdminScope } from '@switchyard/auth';
import type { OrganizationsRepository, ProjectEntity, ProjectsRepository } from '@switchyard/persistence';
import { isUuid, notFound } from '@switchyard/types';
import { requireOrganization } from '../organizations/organization-access';

/**
 * The project a request names within an organization: by slug, its public id, or by UUID for existing
 * callers (a UUID that is no project's id is tried as a slug, for projects created before slugs could not be UUIDs).
 */
export async function findProject(projects: ProjectsRepository, organizationId: string, ref: string): Promise<ProjectEntity | null> {
  if (isUuid(ref)) {
    const byId = await projects.findById(organizationId, ref);
    if (byId) return byId;
  }
  return projects.findBySlug(organizationId, ref);
}

/** The project a nested admin path names (`/organizations/{org}/projects/{project}/…`), if the scope may administer its organization; 404 when unknown. */
export async function requireProject(orgs: OrganizationsRepository, projects: ProjectsRepository, scope: AdminScope, organizationId: string, ref: string): Promise<ProjectEntity> {
  await requireOrganization(orgs, scope, organizationId);
  const project = await findProject(projects, organizationId, ref);
  if (!project) throw notFound(`Project '${ref}' not found.`, 'project_not_found');
  return project;
}
