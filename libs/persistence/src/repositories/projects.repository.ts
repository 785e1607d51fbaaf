import type { DataSource } from 'typeorm';
import type { OrganizationQuotas } from '@switchyard/types';
import { OrganizationEntity, ProjectEntity } from '../entities';

export class ProjectsRepository {
  constructor(private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(ProjectEntity);
  }

  findBySlug(organizationId: string, slug: string): Promise<ProjectEntity | null> {
    return this.repo.findOneBy({ organizationId, slug });
  }

  findById(organizationId: string, id: string): Promise<ProjectEntity | null> {
    return this.repo.findOneBy({ organizationId, id });
  }

  findDefault(organizationId: string): Promise<ProjectEntity | null> {
    return this.repo.findOneBy({ organizationId, isDefault: true });
  }

  list(organizationId: string): Promise<ProjectEntity[]> {
    return this.repo.find({ where: { organizationId }, order: { createdAt: 'ASC' } });
  }

  async insert(organizationId: string, project: ProjectEntity): Promise<void> {
    project.organizationId = organizationId;
    await this.repo.insert(project);
  }

  async save(organizationId: string, project: ProjectEntity): Promise<ProjectEntity> {
    if (project.organizationId !== organizationId) throw new Error('project does not belong to the organization');
    return this.repo.save(project);
  }

  /** Deletes a project; its keys, logs, traces and documents go with it (ON DELETE CASCADE). */
  async delete(organizationId: string, id: string): Promise<void> {
    await this.repo.delete({ organizationId, id });
  }

  /** The plan quotas of the organization a project belongs to (null when it does not exist). */
  async quotasOf(organizationId: string): Promise<OrganizationQuotas | null> {
    const org = await this.ds.getRepository(OrganizationEntity).findOne({
      where: { id: organizationId },
      select: { id: true, quotaMonthlyRequests: true, quotaMonthlySpendUsd: true },
    });
    return org ? { monthlyRequests: org.quotaMonthlyRequests, monthlySpendUsd: org.quotaMonthlySpendUsd } : null;
  }

  /** Every project's retention, across tenants: only for the retention job, which then acts per project. */
  async listRetention(): Promise<{ id: string; retentionDays: number }[]> {
    const rows = await this.repo.find({ select: { id: true, retentionDays: true } });
    return rows.map((r) => ({ id: r.id, retentionDays: r.retentionDays }));
  }
}
