import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'connections' })
export class ConnectionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text')
  provider!: string;

  @Column('text')
  name!: string;

  /** Used in `@slug/model`; unique within the organization. */
  @Column('text')
  slug!: string;

  /** Credentials JSON sealed with AES-256-GCM under the master key (see SecretBox). */
  @Column('text', { name: 'credentials_sealed' })
  credentialsSealed!: string;

  /** Id of the master key that sealed the credentials (rotation). */
  @Column('text', { name: 'credentials_key_id' })
  credentialsKeyId!: string;

  @Column('text', { name: 'secret_preview' })
  secretPreview!: string;

  @Column('text', { name: 'base_url', nullable: true })
  baseUrl!: string | null;

  /** Set by the operator (admin token): may be private or loopback. Otherwise checked after DNS on every connection. */
  @Column('boolean', { name: 'base_url_trusted', default: false })
  baseUrlTrusted!: boolean;

  @Column('boolean', { name: 'is_default', default: false })
  isDefault!: boolean;

  @Column('integer', { name: 'rate_limit', nullable: true })
  rateLimit!: number | null;

  @Column('integer', { name: 'rate_limit_period', nullable: true })
  rateLimitPeriod!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'modified_at', type: 'timestamptz' })
  modifiedAt!: Date;
}
