import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { FlowProducer, Queue } from 'bullmq';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import {
  bullOptions,
  finalizeJobId,
  pageJobId,
  prepareJobId,
  QueueName,
  WEBHOOK_BACKOFF,
  webhookJobId,
  type QueuePayloads,
} from './queues';

export interface PageSpec {
  page: number;
  index: number;
}

/**
 * The producer side of the documents queues, used by the API (enqueue a job, cancel it) and by the
 * worker (fan out pages, schedule webhooks). Queues are opened lazily and closed on shutdown.
 */
@Injectable()
export class DocumentQueues implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();
  private flow: FlowProducer | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: ServiceConfig) {}

  queue<Q extends QueueName>(name: Q): Queue<QueuePayloads[Q]> {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, bullOptions(this.config));
      this.queues.set(name, q);
    }
    return q as unknown as Queue<QueuePayloads[Q]>;
  }

  /** Queues the first step of a document job. Idempotent per job id. */
  async enqueuePrepare(jobId: string, projectId: string): Promise<void> {
    await this.queue(QueueName.DocumentPrepare).add(
      'prepare',
      { kind: 'document.prepare', jobId, projectId },
      { jobId: prepareJobId(jobId), attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 5000 },
    );
  }

  /**
   * A flow: the finalize parent waits for one child per page, or per `perJob` pages. Child ids derive
   * from the job id (and the child's first page), so a prepare step retried after a crash re-adds
   * nothing. With `allowPartial` a failed page does not fail the parent (the finalize step reports it).
   */
  async enqueuePages(jobId: string, projectId: string, pages: PageSpec[], allowPartial: boolean, perJob = 1): Promise<void> {
    const d = this.config.documents;
    if (!this.flow) this.flow = new FlowProducer(bullOptions(this.config));
    const batches: PageSpec[][] = [];
    for (let i = 0; i < pages.length; i += perJob) batches.push(pages.slice(i, i + perJob));
    await this.flow.add({
      name: 'finalize',
      queueName: QueueName.DocumentFinalize,
      data: { kind: 'document.finalize', jobId, projectId },
      opts: { jobId: finalizeJobId(jobId), attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 5000 },
      children: batches.map(([p, ...rest]) => ({
        name: 'page',
        queueName: QueueName.DocumentPage,
        data: { kind: 'document.page' as const, jobId, projectId, page: p!.page, index: p!.index, ...(rest.length ? { batch: [p!, ...rest] } : {}) },
        opts: {
          jobId: pageJobId(jobId, p!.page),
          attempts: d.pageAttempts,
          backoff: { type: 'exponential', delay: d.pageBackoffMs },
          ...(allowPartial ? { ignoreDependencyOnFailure: true } : { failParentOnFailure: true }),
          removeOnComplete: 1000,
          removeOnFail: 5000,
        },
      })),
    });
  }

  /** A finalize step with no pages (extraction from a finished parse). */
  async enqueueFinalize(jobId: string, projectId: string): Promise<void> {
    await this.queue(QueueName.DocumentFinalize).add(
      'finalize',
      { kind: 'document.finalize', jobId, projectId },
      { jobId: finalizeJobId(jobId), attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 5000 },
    );
  }

  async enqueueWebhook(jobId: string, projectId: string): Promise<void> {
    await this.queue(QueueName.DocumentWebhook).add(
      'webhook',
      { kind: 'document.webhook', jobId, projectId, firstAttemptAt: Date.now() },
      // The custom strategy stops retrying once DOCUMENTS_WEBHOOK_MAX_AGE_MS has passed.
      { jobId: webhookJobId(jobId), attempts: 1000, backoff: { type: WEBHOOK_BACKOFF }, removeOnComplete: 1000, removeOnFail: 5000 },
    );
  }

  /** Removes the not-yet-started BullMQ jobs of a canceled document job; running ones see the status and stop. */
  async discard(jobId: string, pages: number[]): Promise<void> {
    const removals: Promise<unknown>[] = [
      this.queue(QueueName.DocumentPrepare).remove(prepareJobId(jobId)),
      ...pages.map((p) => this.queue(QueueName.DocumentPage).remove(pageJobId(jobId, p))),
    ];
    await Promise.allSettled(removals);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...[...this.queues.values()].map((q) => q.close()), this.flow?.close()]);
  }
}
