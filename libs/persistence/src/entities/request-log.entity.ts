import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JsonObject } from '@switchyard/types';

/** One attempt of a logged request, as stored in `request_logs.attempts` (the record's LogAttempt). */
export interface StoredLogAttempt {
  step: number;
  provider: string;
  model: string;
  connectionId: string;
  status: number | null;
  durationMs: number;
  errorCode: string | null;
}

/**
 * One gateway request (`request_logs`, partitioned by day on `created_at`; key: id and created_at). Token
 * buckets are disjoint; `tokens_in`, `tokens_out` and `tokens` are generated sums. Bodies are in `request_log_bodies`.
 */
@Entity({ name: 'request_logs' })
export class RequestLogEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @PrimaryColumn('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('uuid', { name: 'project_id' })
  projectId!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  @Column('text', { name: 'request_id' })
  requestId!: string;

  @Column('text', { name: 'event_id', nullable: true })
  eventId!: string | null;

  @Column('text', { name: 'key_id', nullable: true })
  keyId!: string | null;

  @Column('text', { name: 'customer_identifier', nullable: true })
  customerIdentifier!: string | null;

  @Column('text', { name: 'thread_identifier', nullable: true })
  threadIdentifier!: string | null;

  @Column('text', { name: 'custom_identifier', nullable: true })
  customIdentifier!: string | null;

  @Column('text', { name: 'document_job_id', nullable: true })
  documentJobId!: string | null;

  @Column('text')
  path!: string;

  @Column('text', { name: 'request_type' })
  requestType!: string;

  @Column('text', { name: 'model_requested' })
  modelRequested!: string;

  @Column('text', { nullable: true })
  model!: string | null;

  @Column('text', { nullable: true })
  provider!: string | null;

  @Column('text', { name: 'connection_id', nullable: true })
  connectionId!: string | null;

  @Column('smallint', { name: 'status_code' })
  statusCode!: number;

  @Column('boolean')
  success!: boolean;

  @Column('boolean')
  cached!: boolean;

  @Column('smallint', { nullable: true })
  step!: number | null;

  @Column('jsonb')
  attempts!: StoredLogAttempt[];

  @Column('bigint', { name: 'tokens_input' })
  tokensInput!: string;

  @Column('bigint', { name: 'tokens_cache_read' })
  tokensCacheRead!: string;

  @Column('bigint', { name: 'tokens_cache_write' })
  tokensCacheWrite!: string;

  @Column('bigint', { name: 'tokens_reasoning' })
  tokensReasoning!: string;

  @Column('bigint', { name: 'tokens_output' })
  tokensOutput!: string;

  @Column({ type: 'bigint', name: 'tokens_in', insert: false, update: false })
  tokensIn!: string;

  @Column({ type: 'bigint', name: 'tokens_out', insert: false, update: false })
  tokensOut!: string;

  @Column({ type: 'bigint', insert: false, update: false })
  tokens!: string;

  @Column('numeric', { nullable: true })
  cost!: string | null;

  @Column('boolean', { name: 'custom_cost' })
  customCost!: boolean;

  @Column('integer', { name: 'duration_ms' })
  durationMs!: number;

  @Column('integer', { name: 'ttfb_ms', nullable: true })
  ttfbMs!: number | null;

  @Column('boolean')
  stream!: boolean;

  @Column('jsonb')
  metadata!: JsonObject;

  @Column('jsonb', { nullable: true })
  routing!: JsonObject | null;

  @Column('text', { name: 'error_code', nullable: true })
  errorCode!: string | null;

  @Column('jsonb', { nullable: true })
  dlp!: JsonObject | null;

  @Column('text', { name: 'request_content_type', nullable: true })
  requestContentType!: string | null;

  @Column('text', { name: 'response_content_type', nullable: true })
  responseContentType!: string | null;

  @Column('boolean', { name: 'has_bodies' })
  hasBodies!: boolean;

  /** User feedback: 1 (good), -1 (bad), null (none). */
  @Column('smallint', { nullable: true })
  feedback!: -1 | 1 | null;

  @Column('numeric', { nullable: true })
  score!: string | null;
}

/** The request and response bodies of one log (`request_log_bodies`, partitioned like `request_logs`). */
@Entity({ name: 'request_log_bodies' })
export class RequestLogBodyEntity {
  @PrimaryColumn('uuid', { name: 'log_id' })
  logId!: string;

  @PrimaryColumn('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('uuid', { name: 'project_id' })
  projectId!: string;

  @Column('text', { nullable: true })
  request!: string | null;

  @Column('text', { nullable: true })
  response!: string | null;

  @Column('text', { name: 'request_content_type' })
  requestContentType!: string;

  @Column('text', { name: 'response_content_type' })
  responseContentType!: string;

  @Column('integer', { name: 'request_bytes' })
  requestBytes!: number;

  @Column('integer', { name: 'response_bytes' })
  responseBytes!: number;

  @Column('boolean')
  truncated!: boolean;
}
