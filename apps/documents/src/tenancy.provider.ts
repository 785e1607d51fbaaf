import type { FactoryProvider } from '@nestjs/common';
import { TenancyService, TenantDirectory } from '@switchyard/auth';
import { DOCUMENTS_TENANCY, type DocumentsTenancy } from '@switchyard/documents';

/** Binds the documents lib's tenancy port to the gateway's auth services. */
export const documentsTenancyProvider: FactoryProvider<DocumentsTenancy> = {
  provide: DOCUMENTS_TENANCY,
  inject: [TenantDirectory, TenancyService],
  useFactory: (directory: TenantDirectory, tenancy: TenancyService): DocumentsTenancy => ({
    projectFor: (principal, slug) => directory.projectFor(principal, slug),
    webhookSecretOf: (organizationId, projectId) => tenancy.webhookSecretOf(organizationId, projectId),
  }),
};
