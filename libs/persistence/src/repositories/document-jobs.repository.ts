import type { DataSource } from 'typeorm';
import {
  DocumentJobEntity,
  DocumentPageEntity,
  type DocumentJobError,
  type DocumentJobStatus,
  type DocumentJobType,
  type DocumentUsage,
} from '../entities';
import { rowsOf } from './rows';

export interface DocumentJobFilter {
  status?: DocumentJobStatus;
  type?: DocumentJobType;
  /** Only jobs with an id strictly below this one (ids are UUIDv7, so: older). */
  beforeId?: string;
  limit: number;
}

const ACTIVE: DocumentJobStatus[] = ['queued', 'running'];

/** Document jobs and their page results. Every method takes the project (the tenant) first. */
export class DocumentJobsRepository {
  constructor(private readonly ds: DataSource) {}

  private get jobs() {
    return this.ds.getRepository(DocumentJobEntity);
  }

  private get pagesRepo() {
    return this.ds.getRepository(DocumentPageEntity);
  }

  async insert(projectId: string, job: DocumentJobEntity): Promise<void> {
    job.projectId = projectId;
    await this.jobs.insert(job as never);
  }

  findById(projectId: string, id: string): Promise<DocumentJobEntity | null> {
    return this.jobs.findOneBy({ projectId, id });
  }

  async list(projectId: string, f: DocumentJobFilter): Promise<DocumentJobEntity[]> {
    const qb = this.jobs.createQueryBuilder('j').where('j.project_id = :projectId', { projectId });
    if (f.status) qb.andWhere('j.status = :status', { status: f.status });
    if (f.type) qb.andWhere('j.type = :type', { type: f.type });
    if (f.beforeId) qb.andWhere('j.id < :beforeId', { beforeId: f.beforeId });
    return qb.orderBy('j.id', 'DESC').limit(f.limit).getMany();
  }

  /** queued|running -> running with the selected pages. False when the job is no longer active (canceled). */
  async markRunning(projectId: string, id: string, pages: number[]): Promise<boolean> {
    const rows = rowsOf(
      await this.ds.query(
        `UPDATE document_jobs SET status = 'running', started_at = COALESCE(started_at, now()), pages = $3::jsonb, pages_total = $4
         WHERE project_id = $1 AND id = $2 AND status IN ('queued','running') RETURNING id`,
        [projectId, id, JSON.stringify(pages), pages.length],
      ),
    );
    return rows.length > 0;
  }

  /** Moves an active job to a final state; only the first caller wins (returns false afterwards). */
  async finish(
    projectId: string,
    id: string,
    status: Exclude<DocumentJobStatus, 'queued' | 'running'>,
    fields: { result?: Record<string, unknown> | null; error?: DocumentJobError | null; usage?: DocumentUsage } = {},
  ): Promise<boolean> {
    const rows = rowsOf(
      await this.ds.query(
        `UPDATE document_jobs SET status = $3, finished_at = now(), result = COALESCE($4::jsonb, result), error = $5::jsonb,
           usage = COALESCE($6::jsonb, usage)
         WHERE project_id = $1 AND id = $2 AND status = ANY($7::text[]) RETURNING id`,
        [
          projectId,
          id,
          status,
          fields.result ? JSON.stringify(fields.result) : null,
          fields.error ? JSON.stringify(fields.error) : null,
          fields.usage ? JSON.stringify(fields.usage) : null,
          ACTIVE,
        ],
      ),
    );
    return rows.length > 0;
  }

  async statusOf(projectId: string, id: string): Promise<DocumentJobStatus | null> {
    const rows = await this.ds.query(`SELECT status FROM document_jobs WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return (rows as { status: DocumentJobStatus }[])[0]?.status ?? null;
  }

  /**
   * Records a page result once (a retried or re-delivered page job does not overwrite it) and counts it in
   * the job's progress, in one statement. Returns false when the page was already recorded (or the job is gone).
   */
  async savePage(projectId: string, page: DocumentPageEntity): Promise<boolean> {
    const counted = rowsOf(
      await this.ds.query(
        `WITH inserted AS (
           INSERT INTO document_pages (job_id, page, idx, markdown, method, model, input_tokens, output_tokens, cost, attempts, decision)
           SELECT $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 WHERE EXISTS (SELECT 1 FROM document_jobs WHERE id = $2 AND project_id = $1)
           ON CONFLICT (job_id, page) DO NOTHING RETURNING page)
         UPDATE document_jobs SET pages_done = pages_done + 1 WHERE project_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM inserted) RETURNING id`,
        [projectId, page.jobId, page.page, page.index, page.markdown, page.method, page.model, page.inputTokens, page.outputTokens, page.cost, page.attempts, page.decision ? JSON.stringify(page.decision) : null],
      ),
    );
    return counted.length > 0;
  }

  /**
   * The job (as findById) and which of `pages` have a recorded result, in one query: what a page job reads
   * before it starts (a re-delivered page job skips its recorded pages).
   */
  async findWithRecordedPages(projectId: string, id: string, pages: number[]): Promise<{ job: DocumentJobEntity; recorded: Set<number> } | null> {
    const { entities, raw } = await this.jobs
      .createQueryBuilder('j')
      .addSelect('ARRAY(SELECT p.page FROM document_pages p WHERE p.job_id = j.id AND p.page = ANY(:pages))', 'recorded')
      .where('j.project_id = :projectId AND j.id = :id', { projectId, id, pages })
      .getRawAndEntities<{ recorded: number[] }>();
    const job = entities[0];
    return job ? { job, recorded: new Set(raw[0]!.recorded) } : null;
  }

  async pages(projectId: string, jobId: string): Promise<DocumentPageEntity[]> {
    const job = await this.jobs.findOne({ where: { projectId, id: jobId }, select: { id: true } });
    if (!job) return [];
    return this.pagesRepo.find({ where: { jobId }, order: { index: 'ASC' } });
  }

  /**
   * Retention sweep (system-wide, not a tenant query): deletes finished jobs older than their
   * project's `retention_days`; returns the deleted job ids so their files can go too.
   */
  async deleteExpired(limit = 500): Promise<{ id: string; projectId: string }[]> {
    return rowsOf<{ id: string; projectId: string }>(
      await this.ds.query(
        `DELETE FROM document_jobs WHERE id IN (
           SELECT j.id FROM document_jobs j JOIN projects p ON p.id = j.project_id
           WHERE j.finished_at IS NOT NULL AND j.finished_at < now() - make_interval(days => p.retention_days)
           LIMIT $1)
         RETURNING id, project_id AS "projectId"`,
        [limit],
      ),
    );
  }
}
