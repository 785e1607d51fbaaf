import { IsNull, type DataSource } from 'typeorm';
import { AccessKeyEntity } from '../entities';

export class AccessKeysRepository {
  constructor(private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(AccessKeyEntity);
  }

  async insert(organizationId: string, key: AccessKeyEntity): Promise<void> {
    key.organizationId = organizationId;
    await this.repo.insert(key);
  }

  /**
   * The one unscoped finder: a key is how a caller proves its tenant, so the lookup cannot take one.
   * Callers compare the returned hash in constant time before trusting the row.
   */
  findByHash(keyHash: string): Promise<AccessKeyEntity | null> {
    return this.repo.findOneBy({ keyHash });
  }

  findById(organizationId: string, id: string): Promise<AccessKeyEntity | null> {
    return this.repo.findOneBy({ organizationId, id });
  }

  list(organizationId: string, opts: { includeRevoked?: boolean } = {}): Promise<AccessKeyEntity[]> {
    return this.repo.find({
      where: opts.includeRevoked ? { organizationId } : { organizationId, revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
  }

  /** Saves a key's changed fields (its limits); tenant-scoped like every finder. */
  async save(organizationId: string, key: AccessKeyEntity): Promise<void> {
    if (key.organizationId !== organizationId) throw new Error('access key does not belong to the organization');
    await this.repo.save(key);
  }

  /** Marks a key revoked; returns false when it is unknown or already revoked. */
  async revoke(organizationId: string, id: string): Promise<boolean> {
    const result = await this.repo.update({ organizationId, id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return (result.affected ?? 0) > 0;
  }

  /**
   * The organization a key belongs to, for the admin token, which names keys by id alone.
   * Callers then use the tenant-scoped finders with the answer.
   */
  async organizationOf(id: string): Promise<string | null> {
    const row = await this.repo.findOne({ where: { id }, select: { organizationId: true } });
    return row?.organizationId ?? null;
  }

  /** Records use of many keys in one statement (batched off the request path). */
  async touch(keyIds: string[], at: Date): Promise<void> {
    if (!keyIds.length) return;
    await this.ds.query(
      `UPDATE access_keys SET last_used_at = GREATEST(COALESCE(last_used_at, $2), $2) WHERE id = ANY($1::uuid[])`,
      [keyIds, at],
    );
  }
}
