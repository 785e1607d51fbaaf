import type { ConnectionOptions, KeyPrefixOptions, QueueBaseOptions } from 'bullmq';
import { redisOptionsFromUrl, type AppConfig } from '@switchyard/config';

/** Every BullMQ queue of the gateway. One name per queue, one payload type per queue below. */
export enum QueueName {
  /** Checks a document, counts its pages and fans out a flow (one child per page). */
  DocumentPrepare = 'documents-prepare',
  /** One page: render, normalize, transcribe (or read the text layer). */
  DocumentPage = 'documents-page',
  /** The flow parent: assembles pages in order; runs extraction for extract jobs. */
  DocumentFinalize = 'documents-finalize',
  /** Signed webhook delivery with exponential backoff. */
  DocumentWebhook = 'documents-webhook',
  /** Periodic deletion of jobs and files past their project's retention. */
  DocumentRetention = 'documents-retention',
}

export interface DocumentPreparePayload {
  kind: 'document.prepare';
  jobId: string;
  projectId: string;
}

export interface DocumentPagePayload {
  kind: 'document.page';
  jobId: string;
  projectId: string;
  /** 1-based page number in the source document. */
  page: number;
  /** 0-based position in the output. */
  index: number;
  /** Set when the job handles several pages (text-layer pages are batched): all of them, the first being page/index. */
  batch?: { page: number; index: number }[];
}

export interface DocumentFinalizePayload {
  kind: 'document.finalize';
  jobId: string;
  projectId: string;
}

export interface DocumentWebhookPayload {
  kind: 'document.webhook';
  jobId: string;
  projectId: string;
  /** When the first attempt was scheduled (epoch ms): retries stop after the configured maximum age. */
  firstAttemptAt: number;
}

export interface DocumentRetentionPayload {
  kind: 'document.retention';
}

/** Payload of every job, discriminated by `kind`. */
export type JobPayload =
  | DocumentPreparePayload
  | DocumentPagePayload
  | DocumentFinalizePayload
  | DocumentWebhookPayload
  | DocumentRetentionPayload;

export interface QueuePayloads {
  [QueueName.DocumentPrepare]: DocumentPreparePayload;
  [QueueName.DocumentPage]: DocumentPagePayload;
  [QueueName.DocumentFinalize]: DocumentFinalizePayload;
  [QueueName.DocumentWebhook]: DocumentWebhookPayload;
  [QueueName.DocumentRetention]: DocumentRetentionPayload;
}

/** Name of the custom backoff strategy webhook jobs use (implemented by the worker). */
export const WEBHOOK_BACKOFF = 'webhook-exponential';

/**
 * BullMQ connection options: a dedicated ioredis connection per Queue/Worker (BullMQ needs blocking
 * commands) and every key under `REDIS_PREFIX`, so suites and tenants of one Redis never collide.
 */
export function bullOptions(config: Pick<AppConfig, 'redis'>): QueueBaseOptions & KeyPrefixOptions & { connection: ConnectionOptions } {
  return {
    connection: { ...redisOptionsFromUrl(config.redis.url), maxRetriesPerRequest: null },
    prefix: `${config.redis.prefix}:bull`,
  };
}

/** BullMQ job ids may not contain ':'; ours are derived from the document job id so re-adding is idempotent. */
export const pageJobId = (jobId: string, page: number) => `${jobId}.p${page}`;
export const finalizeJobId = (jobId: string) => `${jobId}.final`;
export const prepareJobId = (jobId: string) => `${jobId}.prepare`;
export const webhookJobId = (jobId: string) => `${jobId}.webhook`;
