import type { ProjectEntity, ProjectsRepository } from '@switchyard/persistence';
import { isUuid } from '@switchyard/types';

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
