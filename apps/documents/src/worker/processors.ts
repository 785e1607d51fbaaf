import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue, Worker, type Job, type MinimalJob, type WorkerOptions } from 'bullmq';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { DocumentPipeline, DocumentRetention, WebhookDeliveryService, webhookBackoff } from '@switchyard/documents';
import { bullOptions, QueueName, type JobPayload } from '@switchyard/queue';

/**
 * The BullMQ workers of the documents pipeline. Lock duration and stall checks make a killed
 * worker's jobs return to the queue; on shutdown the workers finish their current jobs and close.
 */
@Injectable()
export class DocumentProcessors implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DocumentProcessors');
  private readonly workers: Worker[] = [];
  private retentionQueue: Queue | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly pipeline: DocumentPipeline,
    private readonly webhooks: WebhookDeliveryService,
    private readonly retention: DocumentRetention,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const d = this.config.documents;
    // The render and text threads start, and the text threads warm up, before the first job is taken (docs/documents.md#pipeline-and-operations).
    const t0 = performance.now();
    const warmed = await this.pipeline.warmUp().catch((err: Error) => {
      this.logger.warn(`text threads' warm-up failed: ${err.message}`);
      return 0;
    });
    const threads = `render threads ${d.renderThreads} and text threads ${d.renderThreads}, warmed up with ${warmed} pages in ${Math.round(performance.now() - t0)} ms`;
    const base: WorkerOptions = {
      ...bullOptions(this.config),
      lockDuration: d.jobLockMs,
      stalledInterval: Math.max(1000, Math.floor(d.jobLockMs / 2)),
      maxStalledCount: 3,
    };
    const dispatch = async (job: Job<JobPayload>): Promise<void> => {
      const p = job.data;
      switch (p.kind) {
        case 'document.prepare':
          return this.pipeline.prepare(p, job);
        case 'document.page':
          return this.pipeline.page(p, job);
        case 'document.finalize':
          return this.pipeline.finalize(p, job);
        case 'document.webhook':
          return this.webhooks.deliver(p, job);
        case 'document.retention':
          return this.retention.sweep();
      }
    };
    const add = (name: QueueName, concurrency: number, extra: Partial<WorkerOptions> = {}) => {
      const w = new Worker<JobPayload>(name, dispatch, { ...base, concurrency, ...extra });
      w.on('failed', (job, err) => this.logger.warn(`${name} job ${job?.id ?? '?'} attempt ${job?.attemptsMade ?? '?'} failed: ${err.message}`));
      w.on('error', (err) => this.logger.error(`${name} worker error: ${err.message}`));
      this.workers.push(w);
    };
    add(QueueName.DocumentPrepare, 2);
    add(QueueName.DocumentPage, d.workerConcurrency);
    add(QueueName.DocumentFinalize, 2);
    add(QueueName.DocumentWebhook, 8, {
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, _err?: Error, job?: MinimalJob) =>
          webhookBackoff(d.webhookBackoffMs, d.webhookMaxAgeMs, attemptsMade, (job?.data as { firstAttemptAt?: number })?.firstAttemptAt ?? Date.now()),
      },
    });
    add(QueueName.DocumentRetention, 1);
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
    this.retentionQueue = new Queue(QueueName.DocumentRetention, bullOptions(this.config));
    await this.retentionQueue.upsertJobScheduler('retention', { every: d.retentionSweepMs }, { name: 'retention', data: { kind: 'document.retention' } });
    this.logger.log(`documents workers ready (page concurrency ${d.workerConcurrency}, ${threads})`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await this.retentionQueue?.close();
    await this.pipeline.close();
  }
}
