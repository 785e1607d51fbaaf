import { Controller, Get, Param, Query } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import { ProjectKeyOrAdmin } from '@switchyard/http';
import type { Principal } from '@switchyard/types';
import { AskedProject, ProjectScope } from '../traces/project-scope';
import { RunsService } from './runs.service';

/** Dynamiq SDK runs, as stored by the writer. */
@Controller('v1/runs')
@ProjectKeyOrAdmin()
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly scope: ProjectScope,
  ) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>, @AskedProject() asked: AskedProject) {
    return this.runs.list(await this.scope.projectIdOf(principal, asked), query);
  }

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @AskedProject() asked: AskedProject) {
    return this.runs.get(await this.scope.projectIdOf(principal, asked), id);
  }
}
