import { Body, Controller, Delete, Get, Param, Patch, Post, Query, UseFilters } from '@nestjs/common';
import { adminScopeOf, CurrentPrincipal, type AdminScope } from '@switchyard/auth';
import { AdminOnly, parsePaging, V4ExceptionFilter, v4Ok } from '@switchyard/http';
import { RoutesService } from '@switchyard/tenancy';
import type { Principal } from '@switchyard/types';
import { UuidPipe } from '../admin/uuid.pipe';
import { cfRoute, cfRouteList, cfRouteVersion, pageOf, type CfRoute, type RouteScope } from './route-view';

type PagingQuery = { page?: string; per_page?: string };

/**
 * Cloudflare's dynamic routes (`…/ai-gateway/gateways/{gateway_id}/routes`) = the gateway's project's routes, over
 * the same RoutesService as `/v1/admin/…/routes` (same document validation, versions, deployments and change
 * events). A route is named by its id or its name. Lists answer Cloudflare's `{data: {…}, success}` shape, rename
 * `{route, success}`; everything else the V4 envelope.
 */
@Controller('client/v4/accounts/:account/ai-gateway/gateways/:gateway/routes')
@AdminOnly()
@UseFilters(V4ExceptionFilter)
export class CfRoutesController {
  constructor(private readonly routes: RoutesService) {}

  @Get()
  async list(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Query() query: PagingQuery) {
    const paging = parsePaging(query);
    const scope = adminScopeOf(p);
    const all = await this.routes.list(scope, account, gateway);
    const page = await Promise.all(pageOf(all, paging).map((r) => this.full(scope, { account, gateway }, r.id)));
    return cfRouteList('routes', page, paging);
  }

  /** Creates the route with its first version, deployed (`{name, elements}`). */
  @Post()
  async create(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Body() body: unknown) {
    const scope = adminScopeOf(p);
    const created = await this.routes.create(scope, account, gateway, body);
    return v4Ok(await this.full(scope, { account, gateway }, created.id));
  }

  @Get(':route')
  async get(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Param('route') route: string) {
    return v4Ok(await this.full(adminScopeOf(p), { account, gateway }, route));
  }

  /** Renames the route (`{name}`); its behaviour changes only by a new version, deployed. */
  @Patch(':route')
  async rename(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Param('route') route: string, @Body() body: unknown) {
    const scope = adminScopeOf(p);
    const renamed = await this.routes.rename(scope, account, gateway, route, body);
    return { route: await this.full(scope, { account, gateway }, renamed.id), success: true };
  }

  /** Deletes the route with its versions and deployments; answers the route as it was. */
  @Delete(':route')
  async delete(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Param('route') route: string) {
    const scope = adminScopeOf(p);
    const { version: _version, deployment: _deployment, ...gone } = await this.full(scope, { account, gateway }, route);
    await this.routes.delete(scope, account, gateway, gone.id);
    return v4Ok(gone);
  }

  @Get(':route/versions')
  async listVersions(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Param('route') route: string, @Query() query: PagingQuery) {
    const paging = parsePaging(query);
    const versions = await this.routes.listVersions(adminScopeOf(p), account, gateway, route);
    return cfRouteList('versions', pageOf(versions, paging).map(({ route_id: _route, ...version }) => version), paging);
  }

  /** Saves a new version (`{elements}`); it serves traffic once deployed. */
  @Post(':route/versions')
  async createVersion(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Param('route') route: string, @Body() body: unknown) {
    const scope = adminScopeOf(p);
    const version = await this.routes.createVersion(scope, account, gateway, route, body);
    return v4Ok(cfRouteVersion(await this.full(scope, { account, gateway }, version.route_id), version));
  }

  @Get(':route/versions/:version')
  async getVersion(
    @CurrentPrincipal() p: Principal,
    @Param('account', UuidPipe) account: string,
    @Param('gateway') gateway: string,
    @Param('route') route: string,
    @Param('version') versionId: string,
  ) {
    const scope = adminScopeOf(p);
    const version = await this.routes.getVersion(scope, account, gateway, route, versionId);
    return v4Ok(cfRouteVersion(await this.full(scope, { account, gateway }, version.route_id), version));
  }

  @Get(':route/deployments')
  async listDeployments(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Param('route') route: string, @Query() query: PagingQuery) {
    const paging = parsePaging(query);
    return cfRouteList('deployments', pageOf(await this.routes.listDeployments(adminScopeOf(p), account, gateway, route), paging), paging);
  }

  /** Deploys a version (`{version_id}`): it serves traffic from now on (an older one: a rollback). */
  @Post(':route/deployments')
  async deploy(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Param('route') route: string, @Body() body: unknown) {
    const scope = adminScopeOf(p);
    const deployment = await this.routes.deploy(scope, account, gateway, route, body);
    const { version: _version, deployment: _latest, ...deployed } = await this.full(scope, { account, gateway }, route);
    return v4Ok({ ...deployed, ...deployment });
  }

  /** The route in Cloudflare's shape: with its live version and its latest deployment. */
  private async full(scope: AdminScope, where: RouteScope, ref: string): Promise<CfRoute> {
    const route = await this.routes.get(scope, where.account, where.gateway, ref);
    const [live, deployments] = await Promise.all([
      route.deployed_version_id ? this.routes.getVersion(scope, where.account, where.gateway, route.id, route.deployed_version_id) : null,
      this.routes.listDeployments(scope, where.account, where.gateway, route.id),
    ]);
    return cfRoute(where, route, live, deployments.at(-1) ?? null);
  }
}
