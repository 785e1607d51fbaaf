import type { FactoryProvider } from '@nestjs/common';
import { TenantDirectory } from '@switchyard/auth';
import { DOCUMENTS_TENANCY, type DocumentsTenancy } from '@switchyard/documents';
import { ProjectsService } from '@switchyard/tenancy';

/** Binds the documents lib's tenancy port to the gateway's tenant directory and projects (TenancyModule imported with it). */
export const documentsTenancyProvider: FactoryProvider<DocumentsTenancy> = {
  provide: DOCUMENTS_TENANCY,
  inject: [TenantDirectory, ProjectsService],
  useFactory: (directory: TenantDirectory, projects: ProjectsService): DocumentsTenancy => ({
    projectFor: (principal, slug) => directory.projectFor(principal, slug),
    webhookSecretOf: (organizationId, projectId) => projects.webhookSecretOf(organizationId, projectId),
  }),
};
