import type { DataSource } from 'typeorm';
import { DlpProfileEntity } from '../entities';

/** An organization's custom DLP profiles; every finder takes the organization. */
export class DlpProfilesRepository {
  constructor(private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(DlpProfileEntity);
  }

  list(organizationId: string): Promise<DlpProfileEntity[]> {
    return this.repo.find({ where: { organizationId }, order: { createdAt: 'ASC' } });
  }

  findById(organizationId: string, id: string): Promise<DlpProfileEntity | null> {
    return this.repo.findOneBy({ organizationId, id });
  }

  save(organizationId: string, row: DlpProfileEntity): Promise<DlpProfileEntity> {
    row.organizationId = organizationId;
    return this.repo.save(row);
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.repo.delete({ organizationId, id });
    return (result.affected ?? 0) > 0;
  }
}
