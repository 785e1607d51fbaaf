import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per-trace summary, maintained by the span writer in the statement that inserts the spans. */
@Entity({ name: 'traces' })
export class TraceEntity {
  @PrimaryColumn('uuid', { name: 'project_id' })
  projectId!: string;

  @PrimaryColumn('text', { name: 'trace_id' })
  traceId!: string;

  @Column('bigint', { name: 'start_ns' })
  startNs!: string;

  @Column('bigint', { name: 'end_ns' })
  endNs!: string;

  @Column('integer', { name: 'span_count' })
  spanCount!: number;

  @Column('integer', { name: 'error_count' })
  errorCount!: number;

  @Column('bigint', { name: 'input_tokens', nullable: true })
  inputTokens!: string | null;

  @Column('bigint', { name: 'output_tokens', nullable: true })
  outputTokens!: string | null;

  @Column('numeric', { nullable: true })
  cost!: string | null;

  @Column('text', { name: 'root_name', nullable: true })
  rootName!: string | null;

  @Column('text', { name: 'root_service', nullable: true })
  rootService!: string | null;

  @Column('text', { nullable: true })
  service!: string | null;
}
