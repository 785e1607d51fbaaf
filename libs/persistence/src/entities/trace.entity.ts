import { Column, Entity } from 'typeorm';
import { TraceColumns } from './trace-columns';

/** Per-trace summary, maintained by the span writer in the statement that inserts the spans. */
@Entity({ name: 'traces' })
export class TraceEntity extends TraceColumns {
  @Column('integer', { name: 'span_count' })
  spanCount!: number;

  @Column('integer', { name: 'error_count' })
  errorCount!: number;

  @Column('text', { name: 'root_name', nullable: true })
  rootName!: string | null;

  @Column('text', { name: 'root_service', nullable: true })
  rootService!: string | null;

  @Column('text', { nullable: true })
  service!: string | null;
}
