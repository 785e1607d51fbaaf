import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { DocumentJobsRepository, WebhookDeliveriesRepository, WebhookDeliveryEntity } from '@switchyard/persistence';
import type { DocumentWebhookPayload } from '@switchyard/queue';
import { newId } from '@switchyard/types';
import { DOCUMENTS_TENANCY, type DocumentsTenancy } from '../documents-tenancy';
import { deliverWebhook } from './webhook-sender';

/** Delivers a finished job's webhook, signed with its project's secret, and records every attempt. */
@Injectable()
export class WebhookDeliveryService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    @Inject(DOCUMENTS_TENANCY) private readonly tenancy: DocumentsTenancy,
    private readonly jobs: DocumentJobsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {}

  /** One delivery attempt, recorded; a failure throws so BullMQ retries with backoff (for DOCUMENTS_WEBHOOK_MAX_AGE_MS). */
  async deliver(p: DocumentWebhookPayload, bull: Job): Promise<void> {
    const d = this.config.documents;
    const job = await this.jobs.findById(p.projectId, p.jobId);
    if (!job?.webhookUrl) return;
    const secret = await this.tenancy.webhookSecretOf(job.organizationId, job.projectId);
    const payload = { id: job.id, type: job.type, status: job.status, result_url: `${d.publicUrl}/v1/documents/jobs/${job.id}` };
    const outcome = await deliverWebhook({ url: job.webhookUrl, payload, secret, allowPrivate: d.allowPrivateUrls, timeoutMs: d.webhookTimeoutMs });
    await this.deliveries.insert(
      p.projectId,
      Object.assign(new WebhookDeliveryEntity(), {
        id: newId(),
        jobId: job.id,
        attempt: bull.attemptsMade + 1,
        url: job.webhookUrl,
        statusCode: outcome.statusCode,
        error: outcome.error,
        durationMs: outcome.durationMs,
        createdAt: new Date(),
      }),
    );
    if (outcome.ok) return;
    if (Date.now() - p.firstAttemptAt >= d.webhookMaxAgeMs) {
      throw new UnrecoverableError(`webhook not delivered within ${d.webhookMaxAgeMs} ms: ${outcome.error}`);
    }
    throw new Error(outcome.error ?? 'webhook delivery failed');
  }
}
