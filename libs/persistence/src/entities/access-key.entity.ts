import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { BudgetDuration } from '@switchyard/types';
import { nullableBigint, nullableNumeric } from './organization.entity';

@Entity({ name: 'access_keys' })
export class AccessKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  /** null = organization scope. */
  @Column('uuid', { name: 'project_id', nullable: true })
  projectId!: string | null;

  @Column('text')
  name!: string;

  /** SHA-256 of the full key, hex. The key itself is never stored. */
  @Column('text', { name: 'key_hash' })
  keyHash!: string;

  @Column('text')
  preview!: string;

  @Column('boolean', { default: false })
  admin!: boolean;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  /** Requests per minute; null = no limit. */
  @Column('integer', { name: 'rpm_limit', nullable: true })
  rpmLimit!: number | null;

  /** Tokens per minute (estimate reserved, actual settled); null = no limit. */
  @Column('bigint', { name: 'tpm_limit', nullable: true, transformer: nullableBigint() })
  tpmLimit!: number | null;

  @Column('integer', { name: 'max_parallel_requests', nullable: true })
  maxParallelRequests!: number | null;

  /** USD per `budgetDuration` (a lifetime budget without one); null = no budget. */
  @Column('numeric', { name: 'max_budget', precision: 14, scale: 6, nullable: true, transformer: nullableNumeric() })
  maxBudget!: number | null;

  @Column('text', { name: 'budget_duration', nullable: true })
  budgetDuration!: BudgetDuration | null;

  /** The models the key may call; null = any. */
  @Column('jsonb', { nullable: true })
  models!: string[] | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
