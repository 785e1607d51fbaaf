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
}
