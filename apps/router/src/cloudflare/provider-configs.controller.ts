import { Body, Controller, Get, Param, Post, Query, Req, UseFilters } from '@nestjs/common';
import { adminScopeOf, CurrentPrincipal } from '@switchyard/auth';
import { AdminOnly, parsePaging, V4ExceptionFilter, v4Ok, v4Page } from '@switchyard/http';
import { ConnectionsService, ProjectsService } from '@switchyard/tenancy';
import { notFound, type Principal } from '@switchyard/types';
import type { FastifyRequest } from 'fastify';
import { UuidPipe } from '../admin/uuid.pipe';
import { connectionInputOf, providerConfigOf, providerOfSlug } from './provider-config-view';

/**
 * Cloudflare's provider configs (`…/gateways/{gateway_id}/provider_configs`) = the organization's connections, over
 * the same ConnectionsService as `/v1/admin/connections` (credentials validated and sealed, answered as a preview
 * only). Connections belong to the organization, so every gateway of an account lists the same configs. Also
 * `url/{provider}`, the base URL of a provider through the gateway.
 */
@Controller('client/v4/accounts/:account/ai-gateway/gateways/:gateway')
@AdminOnly()
@UseFilters(V4ExceptionFilter)
export class ProviderConfigsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly connections: ConnectionsService,
  ) {}

  @Get('provider_configs')
  async list(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Query() query: { page?: string; per_page?: string }) {
    const paging = parsePaging(query);
    const scope = adminScopeOf(p);
    await this.projects.get(scope, account, gateway);
    return v4Page((await this.connections.list(scope, account)).map((c) => providerConfigOf(c, gateway)), paging);
  }

  @Post('provider_configs')
  async create(@CurrentPrincipal() p: Principal, @Param('account', UuidPipe) account: string, @Param('gateway') gateway: string, @Body() body: unknown) {
    const scope = adminScopeOf(p);
    await this.projects.get(scope, account, gateway);
    return v4Ok(providerConfigOf(await this.connections.create(scope, connectionInputOf(account, body)), gateway));
  }

  /**
   * `{scheme}://{host}/v1/{account_id}/{gateway_id}/{provider}` as this request reached the router (its Host header;
   * behind a proxy, set it to forward the public host). `compat` is the OpenAI-compatible endpoint.
   */
  @Get('url/:provider')
  async url(
    @CurrentPrincipal() p: Principal,
    @Param('account', UuidPipe) account: string,
    @Param('gateway') gateway: string,
    @Param('provider') provider: string,
    @Req() req: FastifyRequest,
  ) {
    await this.projects.get(adminScopeOf(p), account, gateway);
    if (provider !== 'compat' && !providerOfSlug(provider)) throw notFound(`Unknown provider '${provider}'.`, 'provider_not_found', 'provider');
    return v4Ok(`${req.protocol}://${req.host}/v1/${account}/${encodeURIComponent(gateway)}/${provider}`);
  }
}
