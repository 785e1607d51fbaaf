import type { DataSource } from 'typeorm';
import { ConnectionEntity } from '../entities';

export class ConnectionsRepository {
  constructor(private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(ConnectionEntity);
  }

  findById(organizationId: string, id: string): Promise<ConnectionEntity | null> {
    return this.repo.findOneBy({ organizationId, id });
  }

  findBySlug(organizationId: string, slug: string): Promise<ConnectionEntity | null> {
    return this.repo.findOneBy({ organizationId, slug });
  }

  list(organizationId: string): Promise<ConnectionEntity[]> {
    return this.repo.find({ where: { organizationId }, order: { createdAt: 'ASC' } });
  }

  /** Inserts or updates a connection; making it the default clears the provider's previous default atomically. */
  async save(organizationId: string, connection: ConnectionEntity): Promise<ConnectionEntity> {
    connection.organizationId = organizationId;
    return this.ds.transaction(async (em) => {
      if (connection.isDefault) {
        await em.query(
          `UPDATE connections SET is_default = false WHERE organization_id = $1 AND provider = $2 AND id <> $3 AND is_default`,
          [organizationId, connection.provider, connection.id],
        );
      }
      return em.save(ConnectionEntity, connection);
    });
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.repo.delete({ organizationId, id });
    return (result.affected ?? 0) > 0;
  }

  /** The organization a connection belongs to, for the admin token, which names connections by id alone. */
  async organizationOf(id: string): Promise<string | null> {
    const row = await this.repo.findOne({ where: { id }, select: { organizationId: true } });
    return row?.organizationId ?? null;
  }

  /** Every connection of every organization, for master-key rotation. */
  listAllForRotation(): Promise<ConnectionEntity[]> {
    return this.repo.find({ order: { createdAt: 'ASC' } });
  }
}
