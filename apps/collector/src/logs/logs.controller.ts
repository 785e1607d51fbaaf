import type { IncomingMessage } from 'node:http';
import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import { ProjectKeyOrAdmin, readJsonBody } from '@switchyard/http';
import type { Principal } from '@switchyard/types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AskedProject, ProjectScope } from '../traces/project-scope';
import { parseLogCreate } from './log-create.dto';
import { parseLogDeleteQuery, parseLogListQuery, parseLogPatch } from './log-query.dto';
import { LogsService } from './logs.service';
import { sendBody } from './send-body';

type RawQuery = Record<string, string | string[] | undefined>;

/** A PATCH body is small: feedback, score and a few metadata scalars. */
const PATCH_BODY_LIMIT = 64 * 1024;
/** A posted record carries its messages and completion. */
const CREATE_BODY_LIMIT = 10 * 1024 * 1024;

/** `/v1/logs`: a project key's own project, an organization admin key's named one, or the admin token's `?project=`. */
@Controller('v1/logs')
@ProjectKeyOrAdmin()
export class LogsController {
  constructor(
    private readonly logs: LogsService,
    private readonly scope: ProjectScope,
  ) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: RawQuery, @AskedProject() asked: AskedProject) {
    return this.logs.list(await this.scope.projectIdOf(principal, asked), parseLogListQuery(query));
  }

  @Post()
  @HttpCode(201)
  async create(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @AskedProject() asked: AskedProject) {
    const body = await readJsonBody(req.body as IncomingMessage, CREATE_BODY_LIMIT);
    const scope = await this.scope.projectOf(principal, asked);
    return this.logs.create(scope, principal.kind === 'key' ? principal.keyId : null, parseLogCreate(body));
  }

  @Delete()
  async deleteMatching(@CurrentPrincipal() principal: Principal, @Query() query: RawQuery, @AskedProject() asked: AskedProject) {
    return this.logs.deleteMatching(await this.scope.projectIdOf(principal, asked), parseLogDeleteQuery(query));
  }

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @AskedProject() asked: AskedProject) {
    return this.logs.get(await this.scope.projectIdOf(principal, asked), id);
  }

  @Get(':id/request')
  async request(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() reply: FastifyReply, @AskedProject() asked: AskedProject) {
    await sendBody(reply, await this.logs.body(await this.scope.projectIdOf(principal, asked), id, 'request'));
  }

  @Get(':id/response')
  async response(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Res() reply: FastifyReply, @AskedProject() asked: AskedProject) {
    await sendBody(reply, await this.logs.body(await this.scope.projectIdOf(principal, asked), id, 'response'));
  }

  @Patch(':id')
  async patch(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Req() req: FastifyRequest, @AskedProject() asked: AskedProject) {
    // The collector's content parser hands bodies over as the raw stream (OTLP ingest reads its own).
    const body = await readJsonBody(req.body as IncomingMessage, PATCH_BODY_LIMIT);
    return this.logs.patch(await this.scope.projectIdOf(principal, asked), id, parseLogPatch(body));
  }
}
