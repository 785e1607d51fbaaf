import { Controller, Get, Param, Query } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import { ProjectKeyOrAdmin } from '@switchyard/http';
import type { Principal } from '@switchyard/types';
import { AskedProject, ProjectScope } from './project-scope';
import { parseTraceQuery } from './trace-query.dto';
import { TracesService } from './traces.service';

@Controller('v1/traces')
@ProjectKeyOrAdmin()
export class TracesController {
  constructor(
    private readonly traces: TracesService,
    private readonly scope: ProjectScope,
  ) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, string | string[] | undefined>, @AskedProject() asked: AskedProject) {
    const projectId = await this.scope.projectIdOf(principal, asked);
    return this.traces.list(projectId, parseTraceQuery(query));
  }

  @Get(':traceId')
  async get(@CurrentPrincipal() principal: Principal, @Param('traceId') traceId: string, @AskedProject() asked: AskedProject) {
    return this.traces.get(await this.scope.projectIdOf(principal, asked), traceId);
  }
}
