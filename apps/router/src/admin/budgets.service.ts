import { Inject, Injectable } from '@nestjs/common';
import { TenantDirectory, type AdminScope } from '@switchyard/auth';
import { BudgetsReport, type BudgetsView } from '@switchyard/routing';
import { AccessKeysService, ProjectsService } from '@switchyard/tenancy';

/** `GET …/projects/{project}/budgets`: the project (scope checked by the projects service), its keys, and their counters. */
@Injectable()
export class BudgetsService {
  constructor(
    @Inject(ProjectsService) private readonly projects: ProjectsService,
    @Inject(AccessKeysService) private readonly keys: AccessKeysService,
    @Inject(TenantDirectory) private readonly directory: TenantDirectory,
    @Inject(BudgetsReport) private readonly report: BudgetsReport,
  ) {}

  async budgets(scope: AdminScope, organizationId: string, ref: string): Promise<BudgetsView> {
    const view = await this.projects.get(scope, organizationId, ref);
    const [project, keys] = await Promise.all([this.directory.projectById(organizationId, view.uuid), this.keys.list(scope, organizationId)]);
    return this.report.build(project, keys);
  }
}
