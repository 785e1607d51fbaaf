import type { JsonValue } from '@switchyard/types';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A Dynamiq SDK run, upserted by (project, id): the SDK resends every run it has recorded. */
@Entity({ name: 'runs' })
export class RunEntity {
  @PrimaryColumn('uuid', { name: 'project_id' })
  projectId!: string;

  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  type!: string;

  @Column('text', { name: 'trace_id' })
  traceId!: string;

  @Column('text', { name: 'source_id' })
  sourceId!: string;

  @Column('text', { name: 'session_id', nullable: true })
  sessionId!: string | null;

  @Column('text', { name: 'parent_run_id', nullable: true })
  parentRunId!: string | null;

  @Column('text')
  status!: string;

  @Column('timestamptz', { name: 'start_time' })
  startTime!: Date;

  @Column('timestamptz', { name: 'end_time' })
  endTime!: Date;

  @Column('jsonb', { nullable: true })
  input!: JsonValue;

  @Column('jsonb', { nullable: true })
  output!: JsonValue;

  @Column('jsonb', { nullable: true })
  metadata!: JsonValue;

  @Column('jsonb', { nullable: true })
  error!: JsonValue;

  @Column('jsonb', { nullable: true })
  tags!: JsonValue;

  @Column('jsonb', { nullable: true })
  executions!: JsonValue;

  /** Queue position of the version stored: an older redelivery never overwrites a newer one. */
  @Column('bigint')
  version!: string;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
