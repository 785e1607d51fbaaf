import type { AdminScope, GatewayEventBus, SecretBox } from '@switchyard/auth';
import { OrganizationEntity, type OrganizationsRepository } from '@switchyard/persistence';
import { forbidden, newId, parseOr400 } from '@switchyard/types';
import { newProject } from '../projects/project-factory';
import { organizationView, type OrganizationView } from '../tenancy.views';
import { requireOrganization } from './organization-access';
import { createOrganizationSchema, patchOrganizationSchema } from './organization.dto';

/**
 * Organizations: created by the admin token only, each with its `default` project. Their quotas are the
 * operator's: only the admin token changes them; an organization's admin key reads its own organization and may
 * rename it. A change publishes `organization.changed`, so every replica reads the quotas again at once.
 */
export class OrganizationsService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly secrets: SecretBox,
    private readonly events: GatewayEventBus,
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

  /** Every organization for the admin token; an organization's admin key sees its own. */
  async list(scope: AdminScope): Promise<OrganizationView[]> {
    const orgs = scope.kind === 'root' ? await this.orgs.list() : [await requireOrganization(this.orgs, scope, scope.organizationId)];
    const defaults = await this.orgs.defaultProjectIds(orgs.map((o) => o.id));
    return orgs.map((o) => organizationView(o, defaults.get(o.id) ?? ''));
  }

  async get(scope: AdminScope, organizationId: string): Promise<OrganizationView> {
    const org = await requireOrganization(this.orgs, scope, organizationId);
    return this.view(org);
  }

  async patch(scope: AdminScope, organizationId: string, input: unknown): Promise<OrganizationView> {
    await requireOrganization(this.orgs, scope, organizationId);
    const dto = parseOr400(patchOrganizationSchema, input);
    if (dto.quotas && scope.kind !== 'root') throw forbidden("Only the admin token can change an organization's quotas.");
    const changes: Parameters<OrganizationsRepository['update']>[1] = {};
    if (dto.name !== undefined) changes.name = dto.name;
    if (dto.quotas?.monthly_requests !== undefined) changes.quotaMonthlyRequests = dto.quotas.monthly_requests;
    if (dto.quotas?.monthly_spend !== undefined) changes.quotaMonthlySpendUsd = dto.quotas.monthly_spend;
    if (Object.keys(changes).length) {
      await this.orgs.update(organizationId, changes);
      await this.events.publish({ type: 'organization.changed', organizationId });
    }
    return this.get(scope, organizationId);
  }

  private async view(org: OrganizationEntity): Promise<OrganizationView> {
    const defaults = await this.orgs.defaultProjectIds([org.id]);
    return organizationView(org, defaults.get(org.id) ?? '');
  }
}
