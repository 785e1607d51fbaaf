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

  /** Marks a key revoked; returns the revoked row (or null when unknown or already revoked). */
  async revoke(organizationId: string, id: string): Promise<AccessKeyEntity | null> {
    const rows: AccessKeyEntity[] = await this.ds.query(
      `UPDATE access_keys SET revoked_at = now() WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL
       RETURNING id, key_hash AS "keyHash"`,
      [organizationId, id],
    ).then((r: [AccessKeyEntity[], number] | AccessKeyEntity[]) => (Array.isArray(r[0]) ? (r[0] as AccessKeyEntity[]) : (r as AccessKeyEntity[])));
    return rows[0] ?? null;
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
