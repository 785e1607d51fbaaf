import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { adminScopeOf, CurrentPrincipal, TenancyService } from '@switchyard/auth';
import { AdminOnly } from '@switchyard/http';
import { invalidRequest, isUuid, type Principal } from '@switchyard/types';

const uuidParam = (value: string, name: string) => {
  if (!isUuid(value)) throw invalidRequest(`'${name}' must be a UUID.`, name);
  return value;
};

/** The admin API of DESIGN.md section 3. The admin token reaches everything; an org admin key its own organization. */
@Controller('v1/admin')
@AdminOnly()
export class AdminController {
  constructor(private readonly tenancy: TenancyService) {}

  @Post('organizations')
  createOrganization(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.tenancy.createOrganization(adminScopeOf(p), body);
  }

  @Post('organizations/:org/projects')
  async createProject(@CurrentPrincipal() p: Principal, @Param('org') org: string, @Body() body: unknown) {
    const { project, webhook_secret } = await this.tenancy.createProject(adminScopeOf(p), uuidParam(org, 'org'), body);
    return { ...project, webhook_secret };
  }

  @Get('organizations/:org/projects')
  async listProjects(@CurrentPrincipal() p: Principal, @Param('org') org: string) {
    return { data: await this.tenancy.listProjects(adminScopeOf(p), uuidParam(org, 'org')), next_cursor: null };
  }

  @Get('organizations/:org/projects/:slug')
  getProject(@CurrentPrincipal() p: Principal, @Param('org') org: string, @Param('slug') slug: string) {
    return this.tenancy.getProject(adminScopeOf(p), uuidParam(org, 'org'), slug);
  }

  @Patch('organizations/:org/projects/:slug')
  patchProject(@CurrentPrincipal() p: Principal, @Param('org') org: string, @Param('slug') slug: string, @Body() body: unknown) {
    return this.tenancy.patchProject(adminScopeOf(p), uuidParam(org, 'org'), slug, body);
  }

  @Post('organizations/:org/projects/:slug/webhook-secret')
  @HttpCode(200)
  rotateWebhookSecret(@CurrentPrincipal() p: Principal, @Param('org') org: string, @Param('slug') slug: string) {
    return this.tenancy.rotateWebhookSecret(adminScopeOf(p), uuidParam(org, 'org'), slug);
  }

  @Post('access-keys')
  createAccessKey(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.tenancy.createAccessKey(adminScopeOf(p), body);
  }

  @Get('access-keys')
  async listAccessKeys(
    @CurrentPrincipal() p: Principal,
    @Query('organization_id') organizationId?: string,
    @Query('include_revoked') includeRevoked?: string,
  ) {
    const orgId = organizationId ?? (p.kind === 'key' ? p.organizationId : undefined);
    if (!orgId) throw invalidRequest("'organization_id' is required.", 'organization_id');
    const data = await this.tenancy.listAccessKeys(adminScopeOf(p), uuidParam(orgId, 'organization_id'), includeRevoked === 'true');
    return { data, next_cursor: null };
  }

  @Delete('access-keys/:id')
  revokeAccessKey(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.tenancy.revokeAccessKey(adminScopeOf(p), uuidParam(id, 'id'));
  }

  @Post('connections')
  createConnection(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.tenancy.createConnection(adminScopeOf(p), body);
  }

  @Get('connections')
  async listConnections(@CurrentPrincipal() p: Principal, @Query('organization_id') organizationId?: string) {
    const orgId = organizationId ?? (p.kind === 'key' ? p.organizationId : undefined);
    if (!orgId) throw invalidRequest("'organization_id' is required.", 'organization_id');
    return { data: await this.tenancy.listConnections(adminScopeOf(p), uuidParam(orgId, 'organization_id')), next_cursor: null };
  }

  @Get('connections/:id')
  getConnection(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.tenancy.getConnection(adminScopeOf(p), uuidParam(id, 'id'));
  }

  @Patch('connections/:id')
  patchConnection(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: unknown) {
    return this.tenancy.patchConnection(adminScopeOf(p), uuidParam(id, 'id'), body);
  }

  @Delete('connections/:id')
  deleteConnection(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.tenancy.deleteConnection(adminScopeOf(p), uuidParam(id, 'id'));
  }
}
