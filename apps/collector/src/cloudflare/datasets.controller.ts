import type { IncomingMessage } from 'node:http';
import { Controller, Delete, Get, Param, Post, Put, Query, Req, UseFilters } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import { AdminOnly, readJsonBody, V4ExceptionFilter, v4Ok, v4Paged } from '@switchyard/http';
import type { Principal } from '@switchyard/types';
import type { FastifyRequest } from 'fastify';
import { parseDatasetBody, parseDatasetList } from '../evaluations/evaluation-input';
import { datasetView, DatasetsService } from '../evaluations/datasets.service';
import { GatewayScope } from './gateway-scope';

type RawQuery = Record<string, string | string[] | undefined>;

/** A dataset body: a name and at most 50 filters. */
export const SMALL_BODY_LIMIT = 64 * 1024;

/** Cloudflare's datasets of a gateway (`…/gateways/{gateway_id}/datasets`): saved log filters, served where the logs are. */
@Controller('client/v4/accounts/:account/ai-gateway/gateways/:gateway/datasets')
@AdminOnly()
@UseFilters(V4ExceptionFilter)
export class DatasetsController {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly scope: GatewayScope,
  ) {}

  @Get()
  async list(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Query() raw: RawQuery) {
    const { paging, query } = parseDatasetList(raw);
    const project = await this.scope.project(p, account, gateway);
    const { rows, total } = await this.datasets.list(project.id, query);
    return v4Paged(rows.map((d) => datasetView(d, project.slug)), paging, total);
  }

  @Post()
  async create(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Req() req: FastifyRequest) {
    const project = await this.scope.project(p, account, gateway);
    const fields = parseDatasetBody(await readJsonBody(req.body as IncomingMessage, SMALL_BODY_LIMIT));
    return v4Ok(datasetView(await this.datasets.create(project.id, fields), project.slug));
  }

  @Get(':id')
  async get(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Param('id') id: string) {
    const project = await this.scope.project(p, account, gateway);
    return v4Ok(datasetView(await this.datasets.get(project.id, id), project.slug));
  }

  /** Cloudflare's PUT replaces the dataset's name, enable and filters (all three required). */
  @Put(':id')
  async update(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Param('id') id: string, @Req() req: FastifyRequest) {
    const project = await this.scope.project(p, account, gateway);
    const fields = parseDatasetBody(await readJsonBody(req.body as IncomingMessage, SMALL_BODY_LIMIT));
    return v4Ok(datasetView(await this.datasets.update(project.id, id, fields), project.slug));
  }

  /** Deletes the dataset (evaluations made from it keep their copy of it) and answers it as it was. */
  @Delete(':id')
  async delete(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Param('id') id: string) {
    const project = await this.scope.project(p, account, gateway);
    return v4Ok(datasetView(await this.datasets.delete(project.id, id), project.slug));
  }
}
