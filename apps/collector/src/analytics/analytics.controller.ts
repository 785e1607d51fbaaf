import { Controller, Get, Query } from '@nestjs/common';
import { CurrentPrincipal } from '@switchyard/auth';
import { ProjectKeyOrAdmin } from '@switchyard/http';
import type { Principal } from '@switchyard/types';
import { AskedProject, ProjectScope } from '../traces/project-scope';
import { parseAnalyticsQuery } from './analytics-query.dto';
import { AnalyticsService } from './analytics.service';

@Controller('v1/analytics')
@ProjectKeyOrAdmin()
export class AnalyticsController {
  constructor(
    private readonly analytics: AnalyticsService,
    private readonly scope: ProjectScope,
  ) {}

  @Get()
  async summary(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, string | string[] | undefined>, @AskedProject() asked: AskedProject) {
    return this.analytics.summary(await this.scope.projectIdOf(principal, asked), parseAnalyticsQuery(query));
  }
}
