import type { DataSource } from 'typeorm';
import { OrganizationEntity, ProjectEntity } from '../entities';

export class OrganizationsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Inserts an organization and its `default` project atomically. */
  async createWithDefaultProject(org: OrganizationEntity, project: ProjectEntity): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em.insert(OrganizationEntity, org);
      await em.insert(ProjectEntity, project);
    });
  }

  findById(organizationId: string): Promise<OrganizationEntity | null> {
    return this.ds.getRepository(OrganizationEntity).findOneBy({ id: organizationId });
  }

  list(): Promise<OrganizationEntity[]> {
    return this.ds.getRepository(OrganizationEntity).find({ order: { createdAt: 'ASC' } });
  }

  /** The id of each organization's `default` project, by organization id. */
  async defaultProjectIds(organizationIds: readonly string[]): Promise<Map<string, string>> {
    if (!organizationIds.length) return new Map();
    const rows = await this.ds
      .getRepository(ProjectEntity)
      .createQueryBuilder('p')
      .select(['p.id', 'p.organizationId'])
      .where('p.organization_id IN (:...ids) AND p.is_default', { ids: organizationIds })
      .getMany();
    return new Map(rows.map((r) => [r.organizationId, r.id]));
  }

  /** Sets the given columns of one organization. */
  async update(organizationId: string, changes: Partial<Pick<OrganizationEntity, 'name' | 'quotaMonthlyRequests' | 'quotaMonthlySpendUsd'>>): Promise<void> {
    await this.ds.getRepository(OrganizationEntity).update({ id: organizationId }, changes);
  }
}
