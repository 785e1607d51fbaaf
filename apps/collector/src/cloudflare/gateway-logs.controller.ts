import type { IncomingMessage } from 'node:http';
import { Controller, Delete, Get, Param, Patch, Query, Req, Res, UseFilters } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import { AdminOnly, readJsonBody, V4ExceptionFilter, v4Ok, v4Paged } from '@switchyard/http';
import type { Principal } from '@switchyard/types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseLogPatch } from '../logs/log-query.dto';
import { LogsService } from '../logs/logs.service';
import { sendBody } from '../logs/send-body';
import { parseCfLogDeleteQuery, parseCfLogListQuery } from './cf-log-query';
import { GatewayScope } from './gateway-scope';

type RawQuery = Record<string, string | string[] | undefined>;

/** A PATCH body is small: feedback, score and a few metadata scalars. */
const PATCH_BODY_LIMIT = 64 * 1024;

/**
 * Cloudflare's gateway logs (`/client/v4/accounts/{account_id}/ai-gateway/gateways/{gateway_id}/logs`), served by
 * the collector (where the logs live) over the same LogsService as `/v1/logs`. The router serves the rest of the
 * management API under the same prefix; a reverse proxy sends `…/logs` here (docs/cloudflare-api.md).
 */
@Controller('client/v4/accounts/:account/ai-gateway/gateways/:gateway/logs')
@AdminOnly()
@UseFilters(V4ExceptionFilter)
export class GatewayLogsController {
  constructor(
    private readonly logs: LogsService,
    private readonly scope: GatewayScope,
  ) {}

  @Get()
  async list(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Query() raw: RawQuery) {
    const { query, paging } = parseCfLogListQuery(raw);
    const { data, total } = await this.logs.page(await this.projectIdOf(p, account, gateway), query);
    return v4Paged(data, paging, total);
  }

  /** Deletes the logs matching the filters (all of them without any), at most `limit` in the order given. */
  @Delete()
  async deleteMatching(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Query() raw: RawQuery) {
    return v4Ok(await this.logs.deleteMatching(await this.projectIdOf(p, account, gateway), parseCfLogDeleteQuery(raw)));
  }

  @Get(':id')
  async get(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Param('id') id: string) {
    return v4Ok(await this.logs.get(await this.projectIdOf(p, account, gateway), id));
  }

  @Patch(':id')
  async patch(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Param('id') id: string, @Req() req: FastifyRequest) {
    const projectId = await this.projectIdOf(p, account, gateway);
    // The collector's content parser hands bodies over as the raw stream.
    const body = await readJsonBody(req.body as IncomingMessage, PATCH_BODY_LIMIT);
    return v4Ok(await this.logs.patch(projectId, id, parseLogPatch(body)));
  }

  /** The stored request body itself (as Cloudflare answers it: not wrapped in the envelope). */
  @Get(':id/request')
  async request(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Param('id') id: string, @Res() reply: FastifyReply) {
    await sendBody(reply, await this.logs.body(await this.projectIdOf(p, account, gateway), id, 'request'));
  }

  @Get(':id/response')
  async response(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Param('id') id: string, @Res() reply: FastifyReply) {
    await sendBody(reply, await this.logs.body(await this.projectIdOf(p, account, gateway), id, 'response'));
  }

  private projectIdOf(principal: Principal, account: string, gateway: string): Promise<string> {
    return this.scope.projectId(principal, account, gateway);
  }
}
