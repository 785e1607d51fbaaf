import { Body, Controller, Delete, Get, Param, Post, Put, Query, UseFilters } from '@nestjs/common';
import { adminScopeOf, CurrentPrincipal } from '@switchyard/auth';
import { AdminOnly, parsePaging, V4ExceptionFilter, v4Ok, v4Page } from '@switchyard/http';
import { ProjectsService } from '@switchyard/tenancy';
import { invalidRequest, type Principal } from '@switchyard/types';
import { UuidPipe } from '../admin/uuid.pipe';
import { gatewayOf, matchesSearch, splitGatewayBody } from './gateway-view';

/**
 * Cloudflare's gateways (`/client/v4/accounts/{account_id}/ai-gateway/gateways`) = the projects of the organization
 * `account_id`, over the same ProjectsService as `/v1/admin` (same validation, scope checks and change events).
 */
@Controller('client/v4/accounts/:account/ai-gateway/gateways')
@AdminOnly()
@UseFilters(V4ExceptionFilter)
export class GatewaysController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  async list(
    @CurrentPrincipal() p: Principal,
    @Param('account', UuidPipe) account: string,
    @Query() query: { page?: string; per_page?: string; search?: string },
  ) {
    const paging = parsePaging(query);
    const projects = await this.projects.list(adminScopeOf(p), account);
    return v4Page(projects.filter((project) => matchesSearch(project, query.search)).map(gatewayOf), paging);
  }

  /** Creates the project `id` and applies the settings given; the body is checked whole before anything is saved. */
  @Post()
  async create(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Body() body: unknown) {
    const { id, settings } = splitGatewayBody(body);
    if (typeof id !== 'string') throw invalidRequest("'id' is required: the gateway id (1-64 lowercase letters, digits or dashes).", 'id');
    const scope = adminScopeOf(p);
    this.projects.checkPatch(settings);
    const created = await this.projects.create(scope, account, { name: id, id });
    const project = Object.keys(settings).length ? await this.projects.patch(scope, account, created.id, settings) : created;
    return v4Ok({ ...gatewayOf(project), webhook_secret: created.webhook_secret });
  }

  @Get(':gateway')
  async get(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string) {
    return v4Ok(gatewayOf(await this.projects.get(adminScopeOf(p), account, gateway)));
  }

  /** Cloudflare's PUT sends the whole gateway; fields left out keep their values. The id cannot change. */
  @Put(':gateway')
  async update(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Body() body: unknown) {
    const { id, settings } = splitGatewayBody(body);
    if (id !== undefined && id !== gateway) throw invalidRequest("A gateway's 'id' cannot be changed.", 'id');
    return v4Ok(gatewayOf(await this.projects.patch(adminScopeOf(p), account, gateway, settings)));
  }

  @Delete(':gateway')
  async delete(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string) {
    return v4Ok(gatewayOf(await this.projects.delete(adminScopeOf(p), account, gateway)));
  }
}
