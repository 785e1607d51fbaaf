import { Controller, Get, Param, Query } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import { ProjectKeyOrAdmin } from '@switchyard/http';
import type { Principal } from '@switchyard/types';
import { ProjectScope } from './project-scope';
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
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, string | string[] | undefined>) {
    const projectId = await this.scope.projectIdOf(principal, query['project'] as string | undefined);
    return this.traces.list(projectId, parseTraceQuery(query));
  }

  @Get(':traceId')
  async get(@CurrentPrincipal() principal: Principal, @Param('traceId') traceId: string, @Query('project') project?: string) {
    return this.traces.get(await this.scope.projectIdOf(principal, project), traceId);
  }
}
