import { Column, PrimaryColumn } from 'typeorm';

/**
 * The columns `spans` and `traces` (the per-trace summary) share: the (project, trace) key prefix,
 * the time range in nanoseconds since the epoch (decimal strings, bigint) and the GenAI usage.
 */
export abstract class TraceColumns {
  @PrimaryColumn('uuid', { name: 'project_id' })
  projectId!: string;

  @PrimaryColumn('text', { name: 'trace_id' })
  traceId!: string;

  @Column('bigint', { name: 'start_ns' })
  startNs!: string;

  @Column('bigint', { name: 'end_ns' })
  endNs!: string;

  @Column('bigint', { name: 'input_tokens', nullable: true })
  inputTokens!: string | null;

  @Column('bigint', { name: 'output_tokens', nullable: true })
  outputTokens!: string | null;

  @Column('numeric', { nullable: true })
  cost!: string | null;
}
