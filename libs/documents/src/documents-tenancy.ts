import { invalidRequest, type KeyPrincipal, type Principal } from '@switchyard/types';

/** The project a document request acts on (the part of the tenant directory's snapshot the service reads). */
export interface DocumentsProject {
  id: string;
  organizationId: string;
}

/**
 * What the documents service needs from tenancy, bound by the app to `@switchyard/auth` and `@switchyard/tenancy`
 * (TenantDirectory, the tenancy lib's ProjectsService): the lib stays free of both.
 */
export interface DocumentsTenancy {
  /** The key's own project, or (organization keys) the named or default one; throws the auth errors. */
  projectFor(principal: KeyPrincipal, slug?: string | null): Promise<DocumentsProject>;
  /** The project's webhook signing secret, opened. */
  webhookSecretOf(organizationId: string, projectId: string): Promise<string>;
}

export const DOCUMENTS_TENANCY = Symbol('DOCUMENTS_TENANCY');

/** The key and project a document request acts on; document routes take access keys only. */
export async function projectOfRequest(
  tenancy: DocumentsTenancy,
  principal: Principal,
  slug: string | null | undefined,
): Promise<{ principal: KeyPrincipal; project: DocumentsProject }> {
  if (principal.kind !== 'key') throw invalidRequest('Document routes take an access key.');
  return { principal, project: await tenancy.projectFor(principal, slug) };
}
