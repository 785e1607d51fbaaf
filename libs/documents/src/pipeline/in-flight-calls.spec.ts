import type { DocumentJobEntity, DocumentJobsRepository } from '@switchyard/persistence';
import type { DocumentJobEvents, JobFinishedHandler } from '../jobs/job-events';
import { InFlightCalls } from './in-flight-calls.service';

function setup(statusOf: Record<string, string> = {}) {
  let finished: JobFinishedHandler = () => undefined;
  let resync: () => void = () => undefined;
  const events = {
    onFinished: (h: JobFinishedHandler) => (finished = h),
    onResync: (h: () => void) => (resync = h),
  } as unknown as DocumentJobEvents;
  const jobs = {
    findById: async (_projectId: string, id: string) => (statusOf[id] ? ({ id, status: statusOf[id] } as DocumentJobEntity) : null),
  } as unknown as DocumentJobsRepository;
  return { calls: new InFlightCalls(jobs, events), finished: (jobId: string) => finished({ jobId, status: 'canceled' }), resync: () => resync() };
}

describe('InFlightCalls', () => {
  it("aborts every call of a job when the job's finish event arrives, and no other job's", () => {
    const { calls, finished } = setup();
    const a1 = calls.track('job-a', 'p');
    const a2 = calls.track('job-a', 'p');
    const b = calls.track('job-b', 'p');
    finished('job-a');
    expect([a1.signal.aborted, a2.signal.aborted, b.signal.aborted]).toEqual([true, true, false]);
    expect((a1.signal.reason as Error).message).toBe('document job canceled');
  });

  it('forgets released calls', () => {
    const { calls, finished } = setup();
    const call = calls.track('job-a', 'p');
    call.release();
    finished('job-a');
    expect(call.signal.aborted).toBe(false);
  });

  it('after a resync, aborts the calls of jobs whose row is already final', async () => {
    const { calls, resync } = setup({ 'job-a': 'failed', 'job-b': 'running' });
    const a = calls.track('job-a', 'p');
    const b = calls.track('job-b', 'p');
    resync();
    await new Promise((r) => setImmediate(r));
    expect([a.signal.aborted, b.signal.aborted]).toEqual([true, false]);
  });
});
