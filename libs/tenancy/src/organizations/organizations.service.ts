import type { AdminScope, SecretBox } from '@switchyard/auth';
import { OrganizationEntity, type OrganizationsRepository } from '@switchyard/persistence';
import { forbidden, newId, parseOr400 } from '@switchyard/types';
import { newProject } from '../projects/project-factory';
import { organizationView, type OrganizationView } from '../tenancy.views';
import { createOrganizationSchema } from './organization.dto';

/** Organizations: created by the admin token only, each with its `default` project. */
export class OrganizationsService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly secrets: SecretBox,
  ) {}

  async create(scope: AdminScope, input: unknown): Promise<OrganizationView> {
    if (scope.kind !== 'root') throw forbidden('Only the admin token can create organizations.');
    const dto = parseOr400(createOrganizationSchema, input);
    const org = Object.assign(new OrganizationEntity(), {
      id: newId(),
      name: dto.name,
      quotaMonthlyRequests: dto.quotas?.monthly_requests ?? null,
      quotaMonthlySpendUsd: dto.quotas?.monthly_spend ?? null,
    });
    const project = newProject(this.secrets, { organizationId: org.id, slug: 'default', name: 'Default', isDefault: true });
    await this.orgs.createWithDefaultProject(org, project);
    return organizationView((await this.orgs.findById(org.id)) ?? org, project.id);
  }

  /** Every organization for the admin token; an organization admin key sees its own. */
  async list(scope: AdminScope): Promise<OrganizationView[]> {
    const rows = await this.orgs.listWithDefaultProject(scope.kind === 'organization' ? scope.organizationId : undefined);
    return rows.map(({ org, defaultProjectId }) => organizationView(org, defaultProjectId));
  }
}
