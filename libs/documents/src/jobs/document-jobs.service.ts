import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { DocumentJobsRepository, WebhookDeliveriesRepository, type DocumentJobEntity } from '@switchyard/persistence';
import { DocumentQueues } from '@switchyard/queue';
import { conflict, invalidRequest, isUuid, notFound, parseOr400, type Principal } from '@switchyard/types';
import { DOCUMENTS_TENANCY, projectOfRequest, type DocumentsTenancy } from '../documents-tenancy';
import { listJobsQuerySchema } from './dtos/job-options.dto';
import { DocumentJobEvents } from './job-events';
import { toDeliveryView, toJobView, type DeliveryView, type JobView } from './job-view.mapper';

const FINAL = new Set(['succeeded', 'failed', 'canceled']);

/** Document jobs of a project once submitted: read, list, cancel, wait for the end, webhook deliveries. */
@Injectable()
export class DocumentJobsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    @Inject(DOCUMENTS_TENANCY) private readonly tenancy: DocumentsTenancy,
    private readonly jobs: DocumentJobsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly queues: DocumentQueues,
    private readonly events: DocumentJobEvents,
  ) {}

  async get(principal: Principal, slug: string | undefined, id: string): Promise<JobView> {
    const { project } = await projectOfRequest(this.tenancy, principal, slug);
    return toJobView(await this.requireJob(project.id, id));
  }

  async list(principal: Principal, slug: string | undefined, query: unknown): Promise<{ data: JobView[]; next_cursor: string | null }> {
    const { project } = await projectOfRequest(this.tenancy, principal, slug);
    const q = parseOr400(listJobsQuerySchema, query);
    let beforeId: string | undefined;
    if (q.cursor) {
      beforeId = Buffer.from(q.cursor, 'base64url').toString('utf8');
      if (!isUuid(beforeId)) throw invalidRequest('Invalid cursor.', 'cursor');
    }
    const rows = await this.jobs.list(project.id, { status: q.status, type: q.type, beforeId, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toJobView),
      next_cursor: rows.length > q.limit && last ? Buffer.from(last.id).toString('base64url') : null,
    };
  }

  async cancel(principal: Principal, slug: string | undefined, id: string): Promise<JobView> {
    const { project } = await projectOfRequest(this.tenancy, principal, slug);
    const job = await this.requireJob(project.id, id);
    if (FINAL.has(job.status)) throw conflict(`Job is already ${job.status}.`, 'job_finished');
    if (await this.jobs.finish(project.id, id, 'canceled', { error: { code: 'canceled', message: 'The job was canceled.' } })) {
      await this.events.publishFinished(id, 'canceled');
      await this.queues.discard(id, job.pages ?? []);
      if (job.webhookUrl) await this.queues.enqueueWebhook(id, project.id);
    }
    return toJobView(await this.requireJob(project.id, id));
  }

  async deliveriesOf(principal: Principal, slug: string | undefined, id: string): Promise<{ data: DeliveryView[] }> {
    const { project } = await projectOfRequest(this.tenancy, principal, slug);
    await this.requireJob(project.id, id);
    return { data: (await this.deliveries.list(project.id, id)).map(toDeliveryView) };
  }

  /** The answer to a submission: 200 with the final job if it ended within `wait` seconds, else 202. */
  async respond(projectId: string, id: string, wait?: number): Promise<{ status: number; body: JobView }> {
    const seconds = Math.min(wait ?? 0, this.config.documents.maxWaitSeconds);
    const job = seconds > 0 ? await this.waitFor(projectId, id, seconds) : toJobView(await this.requireJob(projectId, id));
    return { status: FINAL.has(job.status) ? 200 : 202, body: job };
  }

  /**
   * Waits until the job is final or `seconds` have passed: woken by the job's finish event (Redis
   * pub/sub), not by polling; the row is read before waiting and once more when woken.
   */
  async waitFor(projectId: string, id: string, seconds: number): Promise<JobView> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const wake = this.events.arm(id);
      const job = await this.requireJob(projectId, id);
      if (FINAL.has(job.status) || Date.now() >= deadline) {
        wake.disarm();
        return toJobView(job);
      }
      await wake.wait(deadline - Date.now());
    }
  }

  private async requireJob(projectId: string, id: string): Promise<DocumentJobEntity> {
    const job = isUuid(id) ? await this.jobs.findById(projectId, id) : null;
    if (!job) throw notFound(`Document job '${id}' not found.`, 'job_not_found');
    return job;
  }
}
