import type { DataSource } from 'typeorm';
import { LoadBalanceGroupEntity } from '../entities';

/** A project's saved load-balance groups; every finder takes the project. */
export class LoadBalanceGroupsRepository {
  constructor(private readonly ds: DataSource) {}

  list(projectId: string): Promise<LoadBalanceGroupEntity[]> {
    return this.ds.getRepository(LoadBalanceGroupEntity).find({ where: { projectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findById(projectId: string, id: string): Promise<LoadBalanceGroupEntity | null> {
    return this.ds.getRepository(LoadBalanceGroupEntity).findOneBy({ projectId, id });
  }

  findByName(projectId: string, name: string): Promise<LoadBalanceGroupEntity | null> {
    return this.ds.getRepository(LoadBalanceGroupEntity).findOneBy({ projectId, name });
  }

  save(group: LoadBalanceGroupEntity): Promise<LoadBalanceGroupEntity> {
    return this.ds.getRepository(LoadBalanceGroupEntity).save(group);
  }

  async delete(projectId: string, id: string): Promise<boolean> {
    const result = await this.ds.getRepository(LoadBalanceGroupEntity).delete({ projectId, id });
    return (result.affected ?? 0) > 0;
  }
}
