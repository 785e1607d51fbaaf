import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { adminScopeOf, CurrentPrincipal, TenantDirectory } from '@switchyard/auth';
import { AdminOnly } from '@switchyard/http';
import { TargetHealth } from '@switchyard/routing';
import { AccessKeysService, ConnectionsService, DlpProfilesService, LoadBalanceGroupsService, OrganizationsService, ProjectsService, RoutesService } from '@switchyard/tenancy';
import type { Principal } from '@switchyard/types';
import { BudgetsService } from './budgets.service';
import { UuidPipe } from './uuid.pipe';

/** A list answer: everything in one page for now. */
const page = async <T>(data: Promise<T[]>) => ({ data: await data, next_cursor: null });

/**
 * The admin API of DESIGN.md section 3. The admin token reaches everything; an org admin key its own organization.
 * A project is named by its slug (its public id) or, for existing callers, its UUID.
 */
@Controller('v1/admin')
@AdminOnly()
export class AdminController {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly projects: ProjectsService,
    private readonly keys: AccessKeysService,
    private readonly connections: ConnectionsService,
    private readonly dlpProfiles: DlpProfilesService,
    private readonly budgetsService: BudgetsService,
    private readonly routes: RoutesService,
    private readonly groups: LoadBalanceGroupsService,
    private readonly health: TargetHealth,
    private readonly directory: TenantDirectory,
  ) {}

  /**
   * Each target's breaker state and latency average as this replica holds them (docs/routing.md#circuit-breaker);
   * an organization admin key sees its own connections' targets.
   */
  @Get('health/targets')
  async targetHealth(@CurrentPrincipal() p: Principal) {
    const scope = adminScopeOf(p);
    const all = this.health.snapshot();
    if (scope.kind === 'root') return { data: all };
    const own = new Set((await this.directory.connectionsOf(scope.organizationId)).map((c) => c.id));
    return { data: all.filter((t) => own.has(t.connection_id)) };
  }

  // Saved load-balance groups (docs/routing.md#load-balancing). A group is named by its id or its name.
  @Post('organizations/:org/projects/:project/load-balance-groups')
  createGroup(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Body() body: unknown) {
    return this.groups.create(adminScopeOf(p), org, project, body);
  }

  @Get('organizations/:org/projects/:project/load-balance-groups')
  listGroups(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string) {
    return page(this.groups.list(adminScopeOf(p), org, project));
  }

  @Get('organizations/:org/projects/:project/load-balance-groups/:group')
  getGroup(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('group') group: string) {
    return this.groups.get(adminScopeOf(p), org, project, group);
  }

  @Patch('organizations/:org/projects/:project/load-balance-groups/:group')
  updateGroup(
    @CurrentPrincipal() p: Principal,
    @Param('org', UuidPipe) org: string,
    @Param('project') project: string,
    @Param('group') group: string,
    @Body() body: unknown,
  ) {
    return this.groups.update(adminScopeOf(p), org, project, group, body);
  }

  @Delete('organizations/:org/projects/:project/load-balance-groups/:group')
  deleteGroup(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('group') group: string) {
    return this.groups.delete(adminScopeOf(p), org, project, group);
  }

  @Post('organizations')
  createOrganization(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.organizations.create(adminScopeOf(p), body);
  }

  @Get('organizations')
  listOrganizations(@CurrentPrincipal() p: Principal) {
    return page(this.organizations.list(adminScopeOf(p)));
  }

  @Get('organizations/:org')
  getOrganization(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string) {
    return this.organizations.get(adminScopeOf(p), org);
  }

  @Patch('organizations/:org')
  patchOrganization(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Body() body: unknown) {
    return this.organizations.patch(adminScopeOf(p), org, body);
  }

  @Post('organizations/:org/projects')
  createProject(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Body() body: unknown) {
    return this.projects.create(adminScopeOf(p), org, body);
  }

  @Get('organizations/:org/projects')
  listProjects(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string) {
    return page(this.projects.list(adminScopeOf(p), org));
  }

  @Get('organizations/:org/projects/:project')
  getProject(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string) {
    return this.projects.get(adminScopeOf(p), org, project);
  }

  @Patch('organizations/:org/projects/:project')
  patchProject(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Body() body: unknown) {
    return this.projects.patch(adminScopeOf(p), org, project, body);
  }

  @Post('organizations/:org/projects/:project/webhook-secret')
  @HttpCode(200)
  rotateWebhookSecret(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string) {
    return this.projects.rotateWebhookSecret(adminScopeOf(p), org, project);
  }

  @Get('organizations/:org/projects/:project/budgets')
  budgets(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string) {
    return this.budgetsService.budgets(adminScopeOf(p), org, project);
  }

  @Get('organizations/:org/projects/:project/spend-rules')
  listSpendRules(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string) {
    return page(this.projects.listSpendRules(adminScopeOf(p), org, project));
  }

  @Post('organizations/:org/projects/:project/spend-rules')
  createSpendRule(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Body() body: unknown) {
    return this.projects.createSpendRule(adminScopeOf(p), org, project, body);
  }

  @Patch('organizations/:org/projects/:project/spend-rules/:rule')
  patchSpendRule(
    @CurrentPrincipal() p: Principal,
    @Param('org', UuidPipe) org: string,
    @Param('project') project: string,
    @Param('rule', UuidPipe) rule: string,
    @Body() body: unknown,
  ) {
    return this.projects.patchSpendRule(adminScopeOf(p), org, project, rule, body);
  }

  @Delete('organizations/:org/projects/:project/spend-rules/:rule')
  deleteSpendRule(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('rule', UuidPipe) rule: string) {
    return this.projects.deleteSpendRule(adminScopeOf(p), org, project, rule);
  }

  // Dynamic routes (docs/routing.md). A route is named by its id or its name.
  @Post('organizations/:org/projects/:project/routes')
  createRoute(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Body() body: unknown) {
    return this.routes.create(adminScopeOf(p), org, project, body);
  }

  @Get('organizations/:org/projects/:project/routes')
  listRoutes(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string) {
    return page(this.routes.list(adminScopeOf(p), org, project));
  }

  @Get('organizations/:org/projects/:project/routes/:route')
  getRoute(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('route') route: string) {
    return this.routes.get(adminScopeOf(p), org, project, route);
  }

  @Patch('organizations/:org/projects/:project/routes/:route')
  renameRoute(
    @CurrentPrincipal() p: Principal,
    @Param('org', UuidPipe) org: string,
    @Param('project') project: string,
    @Param('route') route: string,
    @Body() body: unknown,
  ) {
    return this.routes.rename(adminScopeOf(p), org, project, route, body);
  }

  @Delete('organizations/:org/projects/:project/routes/:route')
  deleteRoute(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('route') route: string) {
    return this.routes.delete(adminScopeOf(p), org, project, route);
  }

  @Get('organizations/:org/projects/:project/routes/:route/versions')
  listRouteVersions(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('route') route: string) {
    return page(this.routes.listVersions(adminScopeOf(p), org, project, route));
  }

  @Post('organizations/:org/projects/:project/routes/:route/versions')
  createRouteVersion(
    @CurrentPrincipal() p: Principal,
    @Param('org', UuidPipe) org: string,
    @Param('project') project: string,
    @Param('route') route: string,
    @Body() body: unknown,
  ) {
    return this.routes.createVersion(adminScopeOf(p), org, project, route, body);
  }

  @Get('organizations/:org/projects/:project/routes/:route/versions/:version')
  getRouteVersion(
    @CurrentPrincipal() p: Principal,
    @Param('org', UuidPipe) org: string,
    @Param('project') project: string,
    @Param('route') route: string,
    @Param('version') version: string,
  ) {
    return this.routes.getVersion(adminScopeOf(p), org, project, route, version);
  }

  @Get('organizations/:org/projects/:project/routes/:route/deployments')
  listRouteDeployments(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('project') project: string, @Param('route') route: string) {
    return page(this.routes.listDeployments(adminScopeOf(p), org, project, route));
  }

  @Post('organizations/:org/projects/:project/routes/:route/deployments')
  deployRoute(
    @CurrentPrincipal() p: Principal,
    @Param('org', UuidPipe) org: string,
    @Param('project') project: string,
    @Param('route') route: string,
    @Body() body: unknown,
  ) {
    return this.routes.deploy(adminScopeOf(p), org, project, route, body);
  }

  @Post('access-keys')
  createAccessKey(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.keys.create(adminScopeOf(p), body);
  }

  @Get('access-keys')
  listAccessKeys(
    @CurrentPrincipal() p: Principal,
    @Query('organization_id', UuidPipe) organizationId?: string,
    @Query('include_revoked') includeRevoked?: string,
  ) {
    return page(this.keys.list(adminScopeOf(p), organizationId, includeRevoked === 'true'));
  }

  @Patch('access-keys/:id')
  patchAccessKey(@CurrentPrincipal() p: Principal, @Param('id', UuidPipe) id: string, @Body() body: unknown) {
    return this.keys.patch(adminScopeOf(p), id, body);
  }

  @Delete('access-keys/:id')
  revokeAccessKey(@CurrentPrincipal() p: Principal, @Param('id', UuidPipe) id: string) {
    return this.keys.revoke(adminScopeOf(p), id);
  }

  @Post('connections')
  createConnection(@CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.connections.create(adminScopeOf(p), body);
  }

  @Get('connections')
  listConnections(@CurrentPrincipal() p: Principal, @Query('organization_id', UuidPipe) organizationId?: string) {
    return page(this.connections.list(adminScopeOf(p), organizationId));
  }

  @Get('connections/:id')
  getConnection(@CurrentPrincipal() p: Principal, @Param('id', UuidPipe) id: string) {
    return this.connections.get(adminScopeOf(p), id);
  }

  @Patch('connections/:id')
  patchConnection(@CurrentPrincipal() p: Principal, @Param('id', UuidPipe) id: string, @Body() body: unknown) {
    return this.connections.patch(adminScopeOf(p), id, body);
  }

  @Delete('connections/:id')
  deleteConnection(@CurrentPrincipal() p: Principal, @Param('id', UuidPipe) id: string) {
    return this.connections.delete(adminScopeOf(p), id);
  }

  @Post('organizations/:org/dlp-profiles')
  createDlpProfile(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Body() body: unknown) {
    return this.dlpProfiles.create(adminScopeOf(p), org, body);
  }

  @Get('organizations/:org/dlp-profiles')
  listDlpProfiles(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string) {
    return page(this.dlpProfiles.list(adminScopeOf(p), org));
  }

  @Get('organizations/:org/dlp-profiles/:id')
  getDlpProfile(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('id', UuidPipe) id: string) {
    return this.dlpProfiles.get(adminScopeOf(p), org, id);
  }

  @Patch('organizations/:org/dlp-profiles/:id')
  patchDlpProfile(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('id', UuidPipe) id: string, @Body() body: unknown) {
    return this.dlpProfiles.patch(adminScopeOf(p), org, id, body);
  }

  @Delete('organizations/:org/dlp-profiles/:id')
  deleteDlpProfile(@CurrentPrincipal() p: Principal, @Param('org', UuidPipe) org: string, @Param('id', UuidPipe) id: string) {
    return this.dlpProfiles.delete(adminScopeOf(p), org, id);
  }
}
