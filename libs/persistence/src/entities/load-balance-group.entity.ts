import { Column, Entity } from 'typeorm';
import { ProjectResource } from './project-resource';

/** A saved load-balance group of a project (Keywords AI `load_balance_group.group_id` names it by id or name). */
@Entity({ name: 'load_balance_groups' })
export class LoadBalanceGroupEntity extends ProjectResource {
  @Column('text')
  strategy!: 'weighted' | 'least-latency' | 'sticky';

  @Column('text', { name: 'sticky_key' })
  stickyKey!: string;

  @Column('jsonb')
  models!: { model: string; weight: number }[];
}
