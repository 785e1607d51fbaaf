import type { JsonObject, JsonValue } from '@switchyard/types';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type DocumentJobType = 'parse' | 'extract';
export type DocumentJobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
export type PageMethod = 'text' | 'ocr';

/** Why a page was read the way it was (see choosePageMethod in libs/documents). */
export interface PageDecision {
  reason: 'mode_text' | 'mode_ocr' | 'image_file' | 'text_layer' | 'no_text_layer' | 'image_covers_page';
  /** Non-whitespace characters of the page's text layer (PDF pages read for it). */
  text_chars?: number;
  /** Share of the page covered by images (0..1), when the page's operator list was read. */
  image_coverage?: number;
}

export interface DocumentUsage {
  input_tokens: number;
  output_tokens: number;
  cost: number;
}

export interface DocumentJobError {
  code: string;
  message: string;
}

@Entity({ name: 'document_jobs' })
export class DocumentJobEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'organization_id' }) organizationId!: string;
  @Column('uuid', { name: 'project_id' }) projectId!: string;
  @Column('uuid', { name: 'key_id', nullable: true }) keyId!: string | null;
  @Column('text') type!: DocumentJobType;
  @Column('text') status!: DocumentJobStatus;
  @Column('jsonb') options!: JsonObject;
  @Column('uuid', { name: 'file_id', nullable: true }) fileId!: string | null;
  @Column('text', { name: 'file_name', nullable: true }) fileName!: string | null;
  @Column('text', { name: 'content_type', nullable: true }) contentType!: string | null;
  @Column('uuid', { name: 'source_job_id', nullable: true }) sourceJobId!: string | null;
  /** The 1-based source pages selected, once the document was opened. */
  @Column('jsonb', { nullable: true }) pages!: number[] | null;
  @Column('integer', { name: 'pages_total', nullable: true }) pagesTotal!: number | null;
  @Column('integer', { name: 'pages_done', default: 0 }) pagesDone!: number;
  @Column('jsonb', { nullable: true }) result!: JsonObject | null;
  @Column('jsonb') usage!: DocumentUsage;
  @Column('jsonb', { nullable: true }) error!: DocumentJobError | null;
  @Column('text', { name: 'webhook_url', nullable: true }) webhookUrl!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
}

@Entity({ name: 'document_pages' })
export class DocumentPageEntity {
  @PrimaryColumn('uuid', { name: 'job_id' }) jobId!: string;
  @PrimaryColumn('integer') page!: number;
  @Column('integer', { name: 'idx' }) index!: number;
  @Column('text') markdown!: string;
  @Column('text') method!: PageMethod;
  @Column('text', { nullable: true }) model!: string | null;
  @Column('integer', { name: 'input_tokens' }) inputTokens!: number;
  @Column('integer', { name: 'output_tokens' }) outputTokens!: number;
  @Column('numeric', { precision: 14, scale: 8, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) cost!: number;
  @Column('integer') attempts!: number;
  @Column('jsonb', { nullable: true }) decision!: PageDecision | null;
}

@Entity({ name: 'document_templates' })
export class DocumentTemplateEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'project_id' }) projectId!: string;
  @Column('text') name!: string;
  @Column('text', { nullable: true }) description!: string | null;
  /** The example-shaped template it was created from, if any. */
  @Column('jsonb', { nullable: true }) template!: JsonValue;
  /** A JSON Schema. */
  @Column('jsonb') schema!: JsonObject;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'modified_at' }) modifiedAt!: Date;
}

@Entity({ name: 'document_webhook_deliveries' })
export class WebhookDeliveryEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'job_id' }) jobId!: string;
  @Column('uuid', { name: 'project_id' }) projectId!: string;
  @Column('integer') attempt!: number;
  @Column('text') url!: string;
  @Column('integer', { name: 'status_code', nullable: true }) statusCode!: number | null;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('integer', { name: 'duration_ms' }) durationMs!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

@Entity({ name: 'document_files' })
export class DocumentFileEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'project_id' }) projectId!: string;
  @Column('uuid', { name: 'job_id' }) jobId!: string;
  @Column('text') kind!: 'upload' | 'page';
  @Column('integer', { nullable: true }) page!: number | null;
  @Column('text', { name: 'content_type' }) contentType!: string;
  @Column('bigint', { transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) size!: number;
  @Column('text', { nullable: true }) sha256!: string | null;
  @Column('boolean') complete!: boolean;
  /** Where the bytes are: `document_file_chunks` rows, or an S3 object. */
  @Column('text') store!: 'postgres' | 's3';
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
