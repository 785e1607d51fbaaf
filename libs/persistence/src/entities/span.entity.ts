import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SpanAttributes, SpanEvent, SpanLink, SpanScope } from './span-columns';
import { TraceColumns } from './trace-columns';

/** One OTLP span (key: project, trace, span). Times are nanoseconds since the epoch, as decimal strings (bigint). */
@Entity({ name: 'spans' })
export class SpanEntity extends TraceColumns {
  @PrimaryColumn('text', { name: 'span_id' })
  spanId!: string;

  @Column('text', { name: 'parent_span_id', nullable: true })
  parentSpanId!: string | null;

  @Column('text')
  name!: string;

  @Column('smallint')
  kind!: number;

  @Column('text', { name: 'service_name', nullable: true })
  serviceName!: string | null;

  @Column('bigint', { name: 'duration_ns' })
  durationNs!: string;

  @Column('smallint', { name: 'status_code' })
  statusCode!: number;

  @Column('text', { name: 'status_message', nullable: true })
  statusMessage!: string | null;

  @Column('jsonb')
  attributes!: SpanAttributes;

  @Column('jsonb')
  resource!: SpanAttributes;

  @Column('jsonb', { nullable: true })
  scope!: SpanScope | null;

  @Column('jsonb')
  events!: SpanEvent[];

  @Column('jsonb')
  links!: SpanLink[];

  @Column('text', { name: 'trace_state', nullable: true })
  traceState!: string | null;

  @Column('integer', { nullable: true })
  flags!: number | null;

  @Column('text', { name: 'gen_ai_model', nullable: true })
  genAiModel!: string | null;

  @Column('text', { name: 'gen_ai_provider', nullable: true })
  genAiProvider!: string | null;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt!: Date;
}
