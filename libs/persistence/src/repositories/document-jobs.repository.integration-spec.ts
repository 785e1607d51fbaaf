import { newId } from '@switchyard/types';
import { createTestEnvironment, insertProjectRow, type TestEnvironment } from '@switchyard/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source';
import { DocumentJobEntity, DocumentPageEntity } from '../entities';
import { DocumentJobsRepository } from './document-jobs.repository';

describe('DocumentJobsRepository page results', () => {
  let env: TestEnvironment;
  let ds: DataSource;
  let jobs: DocumentJobsRepository;

  beforeAll(async () => {
    env = await createTestEnvironment();
    ds = await createDataSource(env.config, 'document-jobs-test').initialize();
    jobs = new DocumentJobsRepository(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  const newJob = async () => {
    const project = await insertProjectRow(ds);
    const job = Object.assign(new DocumentJobEntity(), {
      id: newId(),
      organizationId: project.org,
      keyId: null,
      type: 'parse',
      status: 'queued',
      options: {},
      fileId: null,
      fileName: null,
      contentType: 'application/pdf',
      sourceJobId: null,
      pages: null,
      pagesTotal: null,
      pagesDone: 0,
      result: null,
      usage: { input_tokens: 0, output_tokens: 0, cost: 0 },
      error: null,
      webhookUrl: null,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
    });
    await jobs.insert(project.id, job);
    await jobs.markRunning(project.id, job.id, [1, 2, 3]);
    return { projectId: project.id, jobId: job.id };
  };
  const page = (jobId: string, n: number, markdown = `page ${n}`) =>
    Object.assign(new DocumentPageEntity(), {
      jobId,
      page: n,
      index: n - 1,
      markdown,
      method: 'text',
      decision: { reason: 'mode_text' },
      model: null,
      inputTokens: 0,
      outputTokens: 0,
      cost: 0,
      attempts: 1,
    });

  it('records each page once and counts it once in the progress, also when saved concurrently', async () => {
    const { projectId, jobId } = await newJob();
    const recorded = async (pages: number[]) => [...(await jobs.findWithRecordedPages(projectId, jobId, pages))!.recorded].sort();
    expect(await recorded([1, 2, 3])).toEqual([]);
    const saved = await Promise.all([page(jobId, 1), page(jobId, 2), page(jobId, 2, 'again'), page(jobId, 3), page(jobId, 1, 'again')].map((p) => jobs.savePage(projectId, p)));
    expect(saved.filter(Boolean)).toHaveLength(3);
    expect(await recorded([2])).toEqual([2]);
    expect(await recorded([2, 3, 4])).toEqual([2, 3]);
    expect((await jobs.findWithRecordedPages(projectId, jobId, [1]))!.job).toMatchObject({ id: jobId, projectId, pagesDone: 3 });
    expect((await jobs.findById(projectId, jobId))!.pagesDone).toBe(3);
    const rows = await jobs.pages(projectId, jobId);
    expect(rows.map((r) => r.page)).toEqual([1, 2, 3]);
    expect(await jobs.savePage(projectId, page(jobId, 3, 'late'))).toBe(false);
    expect((await jobs.findById(projectId, jobId))!.pagesDone).toBe(3);
  });

  it("another project's job: nothing recorded, nothing seen", async () => {
    const { projectId, jobId } = await newJob();
    const other = await insertProjectRow(ds);
    expect(await jobs.savePage(other.id, page(jobId, 1))).toBe(false);
    expect((await jobs.findWithRecordedPages(projectId, jobId, [1]))!.recorded.size).toBe(0);
    expect(await jobs.savePage(projectId, page(jobId, 1))).toBe(true);
    expect((await jobs.findWithRecordedPages(projectId, jobId, [1]))!.recorded.has(1)).toBe(true);
    expect(await jobs.findWithRecordedPages(other.id, jobId, [1])).toBeNull();
    expect((await jobs.findById(projectId, jobId))!.pagesDone).toBe(1);
  });
});
