import { Injectable, Logger } from '@nestjs/common';
import { DocumentJobsRepository } from '@switchyard/persistence';
import { DocumentJobEvents } from '../jobs/job-events';

/** A model call's handle: its abort signal, and `release` once the call is over. */
export interface TrackedCall {
  signal: AbortSignal;
  release: () => void;
}

/**
 * The model calls this process has in flight, per document job: a job that became final elsewhere
 * (canceled by the API, failed by another page) aborts its calls here.
 */
@Injectable()
export class InFlightCalls {
  private readonly logger = new Logger('InFlightCalls');
  private readonly inFlight = new Map<string, { projectId: string; controllers: Set<AbortController> }>();

  constructor(
    private readonly jobs: DocumentJobsRepository,
    events: DocumentJobEvents,
  ) {
    events.onFinished((e) => this.abortJob(e.jobId, e.status));
    events.onResync(() => void this.recheck());
  }

  /** Tracks one call of `jobId` until released. Track before reading the job's status, so a later final event reaches the call. */
  track(jobId: string, projectId: string): TrackedCall {
    const controller = new AbortController();
    const entry = this.inFlight.get(jobId) ?? { projectId, controllers: new Set<AbortController>() };
    entry.controllers.add(controller);
    this.inFlight.set(jobId, entry);
    return {
      signal: controller.signal,
      release: () => {
        entry.controllers.delete(controller);
        if (!entry.controllers.size && this.inFlight.get(jobId) === entry) this.inFlight.delete(jobId);
      },
    };
  }

  private abortJob(jobId: string, status: string): void {
    const entry = this.inFlight.get(jobId);
    if (!entry) return;
    this.logger.log(`document job ${jobId} is ${status}: aborting ${entry.controllers.size} call(s) in flight`);
    for (const c of entry.controllers) c.abort(new Error(`document job ${status}`));
  }

  /** After a lost subscription: finish events may have been missed, so ask the database. */
  private async recheck(): Promise<void> {
    for (const [jobId, entry] of [...this.inFlight]) {
      const job = await this.jobs.findById(entry.projectId, jobId).catch(() => null);
      if (job && job.status !== 'queued' && job.status !== 'running') this.abortJob(jobId, job.status);
    }
  }
}
