import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A saved load-balance group of a project (Keywords AI `load_balance_group.group_id` names it by id or name). */
@Entity({ name: 'load_balance_groups' })
export class LoadBalanceGroupEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'project_id' })
  projectId!: string;

  @Column('text')
  name!: string;

  @Column('text')
  strategy!: 'weighted' | 'least-latency' | 'sticky';

  @Column('text', { name: 'sticky_key' })
  stickyKey!: string;

  @Column('jsonb')
  models!: { model: string; weight: number }[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'modified_at', type: 'timestamptz' })
  modifiedAt!: Date;
}
