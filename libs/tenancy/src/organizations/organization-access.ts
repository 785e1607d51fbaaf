import type { AdminScope } from '@switchyard/auth';
import type { OrganizationEntity, OrganizationsRepository } from '@switchyard/persistence';
import { forbidden, invalidRequest, notFound } from '@switchyard/types';

/** The organization, if the scope may administer it: 403 for another organization's admin key, 404 when unknown. */
export async function requireOrganization(orgs: OrganizationsRepository, scope: AdminScope, organizationId: string): Promise<OrganizationEntity> {
  if (scope.kind === 'organization' && scope.organizationId !== organizationId) {
    throw forbidden('This key administers another organization.');
  }
  const org = await orgs.findById(organizationId);
  if (!org) throw notFound(`Organization '${organizationId}' not found.`, 'organization_not_found', 'organization_id');
  return org;
}

/** The organization a listing names (`organization_id`), else an admin key's own; the admin token must name one. */
export function listedOrganization(scope: AdminScope, organizationId: string | undefined): string {
  const id = organizationId ?? (scope.kind === 'organization' ? scope.organizationId : undefined);
  if (!id) throw invalidRequest("'organization_id' is required.", 'organization_id');
  return id;
}
