import { Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { parseOr400, type Principal } from '@switchyard/types';
import { DocumentJobsService, JobSubmissionService, waitQuerySchema } from '@switchyard/documents';
import { uploadSourceOf } from './upload.adapter';

/** Asynchronous document jobs: submit, poll, list, cancel, webhook deliveries. */
@Controller('v1/documents')
export class DocumentsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly submissions: JobSubmissionService,
    private readonly jobs: DocumentJobsService,
  ) {}

  @Post('parse')
  async parse(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-gateway-project') project: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query() query: unknown,
  ) {
    const { status, body } = await this.submissions.submitAndRespond(principal, project, 'parse', uploadSourceOf(req, this.config.limits.bodyIdleTimeoutMs), parseOr400(waitQuerySchema, query).wait);
    void reply.status(status);
    return body;
  }

  @Post('extract')
  async extract(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-gateway-project') project: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query() query: unknown,
  ) {
    const { status, body } = await this.submissions.submitAndRespond(principal, project, 'extract', uploadSourceOf(req, this.config.limits.bodyIdleTimeoutMs), parseOr400(waitQuerySchema, query).wait);
    void reply.status(status);
    return body;
  }

  @Get('jobs')
  list(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Query() query: unknown) {
    return this.jobs.list(principal, project, query);
  }

  @Get('jobs/:id')
  get(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Param('id') id: string) {
    return this.jobs.get(principal, project, id);
  }

  @Get('jobs/:id/deliveries')
  deliveries(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Param('id') id: string) {
    return this.jobs.deliveriesOf(principal, project, id);
  }

  @Delete('jobs/:id')
  @HttpCode(200)
  cancel(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Param('id') id: string) {
    return this.jobs.cancel(principal, project, id);
  }
}
