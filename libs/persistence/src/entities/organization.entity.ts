import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'organizations' })
export class OrganizationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  /** Monthly chat completions; null = unlimited, 0 = not available. */
  @Column('bigint', { name: 'quota_monthly_requests', nullable: true, transformer: nullableBigint() })
  quotaMonthlyRequests!: number | null;

  /** Monthly spend in USD; null = unlimited, 0 = not available. */
  @Column('numeric', { name: 'quota_monthly_spend_usd', precision: 14, scale: 6, nullable: true, transformer: nullableNumeric() })
  quotaMonthlySpendUsd!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export function nullableBigint() {
  return {
    to: (v: number | null | undefined) => v,
    from: (v: string | null) => (v === null ? null : Number(v)),
  };
}

export function nullableNumeric() {
  return nullableBigint();
}
