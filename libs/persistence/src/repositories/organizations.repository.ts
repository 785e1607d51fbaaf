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

  /** Each organization (all, or the one named) with its `default` project's id, oldest first. */
  async listWithDefaultProject(organizationId?: string): Promise<Array<{ org: OrganizationEntity; defaultProjectId: string }>> {
    const where = organizationId ? { id: organizationId } : {};
    const [orgs, defaults] = await Promise.all([
      this.ds.getRepository(OrganizationEntity).find({ where, order: { createdAt: 'ASC' } }),
      this.ds.getRepository(ProjectEntity).find({ where: { isDefault: true, ...(organizationId ? { organizationId } : {}) }, select: { id: true, organizationId: true } }),
    ]);
    const byOrg = new Map(defaults.map((p) => [p.organizationId, p.id]));
    return orgs.map((org) => ({ org, defaultProjectId: byOrg.get(org.id) ?? '' }));
  }
}
