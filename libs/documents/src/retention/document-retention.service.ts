import { Inject, Injectable } from '@nestjs/common';
import { DOCUMENT_STORAGE, DocumentJobsRepository, type DocumentStorage } from '@switchyard/persistence';

const BATCH = 500;
const ORPHAN_AGE_MS = 24 * 60 * 60 * 1000;

/** Document retention: the worker's scheduled sweep. */
@Injectable()
export class DocumentRetention {
  constructor(
    private readonly jobs: DocumentJobsRepository,
    @Inject(DOCUMENT_STORAGE) private readonly storage: DocumentStorage,
  ) {}

  /** Deletes jobs (and their files) past their project's retention period, and orphaned uploads. */
  async sweep(): Promise<void> {
    for (;;) {
      const deleted = await this.jobs.deleteExpired(BATCH);
      const byProject = new Map<string, string[]>();
      for (const d of deleted) byProject.set(d.projectId, [...(byProject.get(d.projectId) ?? []), d.id]);
      for (const [projectId, ids] of byProject) await this.storage.deleteForJobs(projectId, ids);
      if (deleted.length < BATCH) break;
    }
    await this.storage.deleteOrphans(ORPHAN_AGE_MS);
  }
}
