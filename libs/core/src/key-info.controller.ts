import { Controller, Get, Headers } from '@nestjs/common';
import { CurrentPrincipal, TenantDirectory } from '@switchyard/auth';
import type { Principal } from '@switchyard/types';

/** `GET /v1/auth/key`: what the calling key is (scope, organization, project). Served by every app. */
@Controller('v1/auth')
export class KeyInfoController {
  constructor(private readonly directory: TenantDirectory) {}

  @Get('key')
  async describe(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') projectSlug?: string) {
    if (principal.kind === 'admin') return { scope: 'admin' };
    const project = await this.directory.projectFor(principal, projectSlug);
    return {
      id: principal.keyId,
      scope: principal.projectId ? 'project' : 'organization',
      admin: principal.admin,
      organization_id: principal.organizationId,
      project: { id: project.slug, uuid: project.id },
    };
  }
}
