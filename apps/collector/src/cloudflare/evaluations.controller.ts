import type { IncomingMessage } from 'node:http';
import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseFilters } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import { AdminOnly, readJsonBody, V4ExceptionFilter, v4Ok, v4Page, v4Paged } from '@switchyard/http';
import type { Principal } from '@switchyard/types';
import type { FastifyRequest } from 'fastify';
import { listEvaluationTypes, parseEvaluationBody, parseEvaluationList } from '../evaluations/evaluation-input';
import { evaluationView, EvaluationsService } from '../evaluations/evaluations.service';
import { SMALL_BODY_LIMIT } from './datasets.controller';
import { GatewayScope } from './gateway-scope';

type RawQuery = Record<string, string | string[] | undefined>;

/** Cloudflare's evaluations of a gateway (`…/gateways/{gateway_id}/evaluations`), plus `POST …/{id}/run` to compute one again. */
@Controller('client/v4/accounts/:account/ai-gateway/gateways/:gateway/evaluations')
@AdminOnly()
@UseFilters(V4ExceptionFilter)
export class EvaluationsController {
  constructor(
    private readonly evaluations: EvaluationsService,
    private readonly scope: GatewayScope,
  ) {}

  @Get()
  async list(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Query() raw: RawQuery) {
    const { paging, query } = parseEvaluationList(raw);
    const project = await this.scope.project(p, account, gateway);
    const { rows, total } = await this.evaluations.list(project.id, query);
    return v4Paged(rows.map((e) => evaluationView(e, project.slug, project.organizationId)), paging, total);
  }

  /** Creates the evaluation and computes it before answering (`processed: true`, its results). */
  @Post()
  async create(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Req() req: FastifyRequest) {
    const project = await this.scope.project(p, account, gateway);
    const input = parseEvaluationBody(await readJsonBody(req.body as IncomingMessage, SMALL_BODY_LIMIT));
    return v4Ok(evaluationView(await this.evaluations.create(project.id, input), project.slug, project.organizationId));
  }

  @Get(':id')
  async get(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Param('id') id: string) {
    const project = await this.scope.project(p, account, gateway);
    return v4Ok(evaluationView(await this.evaluations.get(project.id, id), project.slug, project.organizationId));
  }

  /** Ours (Cloudflare has no rerun call): computes the evaluation again over the logs its datasets match now. */
  @Post(':id/run')
  @HttpCode(200)
  async run(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Param('id') id: string) {
    const project = await this.scope.project(p, account, gateway);
    return v4Ok(evaluationView(await this.evaluations.run(project.id, id), project.slug, project.organizationId));
  }

  @Delete(':id')
  async delete(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Param('gateway') gateway: string, @Param('id') id: string) {
    const project = await this.scope.project(p, account, gateway);
    return v4Ok(evaluationView(await this.evaluations.delete(project.id, id), project.slug, project.organizationId));
  }
}

/** Cloudflare's evaluators (`…/ai-gateway/evaluation-types`): Cost, Speed and Performance (human feedback). */
@Controller('client/v4/accounts/:account/ai-gateway/evaluation-types')
@AdminOnly()
@UseFilters(V4ExceptionFilter)
export class EvaluationTypesController {
  constructor(private readonly scope: GatewayScope) {}

  @Get()
  async list(@CurrentPrincipal() p: Principal, @Param('account') account: string, @Query() raw: RawQuery) {
    await this.scope.existingAccount(p, account);
    const { paging, types } = listEvaluationTypes(raw);
    return v4Page(types, paging);
  }
}
