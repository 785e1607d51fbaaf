import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal } from '@switchyard/auth';
import { DocumentsService, waitQuerySchema } from '@switchyard/documents';
import { parseOr400, type Principal } from '@switchyard/types';
import { uploadSourceOf } from './upload.adapter';

/** Asynchronous document jobs: submit, poll, list, cancel, webhook deliveries. */
@Controller('v1/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post('parse')
  async parse(
    @CurrentPrincipal() principal: Principal,
    @Headers('x-gateway-project') project: string | undefined,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query() query: unknown,
  ) {
    const { status, body } = await this.documents.parse(principal, project, uploadSourceOf(req), parseOr400(waitQuerySchema, query).wait);
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
    const { status, body } = await this.documents.extract(principal, project, uploadSourceOf(req), parseOr400(waitQuerySchema, query).wait);
    void reply.status(status);
    return body;
  }

  @Get('jobs')
  list(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Query() query: unknown) {
    return this.documents.list(principal, project, query);
  }

  @Get('jobs/:id')
  get(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Param('id') id: string) {
    return this.documents.get(principal, project, id);
  }

  @Get('jobs/:id/deliveries')
  deliveries(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Param('id') id: string) {
    return this.documents.deliveriesOf(principal, project, id);
  }

  @Delete('jobs/:id')
  @HttpCode(200)
  cancel(@CurrentPrincipal() principal: Principal, @Headers('x-gateway-project') project: string | undefined, @Param('id') id: string) {
    return this.documents.cancel(principal, project, id);
  }
}
