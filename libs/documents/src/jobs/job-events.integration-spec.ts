import { randomBytes } from 'node:crypto';
import { parseConfig, rawEnv, type ServiceConfig } from '@switchyard/config';
import { createRedis } from '@switchyard/persistence';
import type { Redis } from 'ioredis';
import { DocumentJobEvents, type JobFinishedEvent } from './job-events';

describe('DocumentJobEvents (real Redis)', () => {
  const config: ServiceConfig = {
    ...parseConfig({ ...rawEnv(), NODE_ENV: 'test', REDIS_PREFIX: `sytest-ev-${randomBytes(4).toString('hex')}` }),
    serviceName: 'documents',
  };
  let clients: Redis[];
  let api: DocumentJobEvents;
  let worker: DocumentJobEvents;

  beforeAll(async () => {
    clients = [createRedis(config, 'test-api'), createRedis(config, 'test-worker')];
    api = new DocumentJobEvents(config, clients[0]!);
    worker = new DocumentJobEvents(config, clients[1]!);
    await Promise.all([api.onModuleInit(), worker.onModuleInit()]);
  });

  afterAll(async () => {
    await Promise.all([api.onApplicationShutdown(), worker.onApplicationShutdown()]);
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('wakes a waiter in another process as soon as the job is finished, and only for that job', async () => {
    const seen: JobFinishedEvent[] = [];
    api.onFinished((e) => seen.push(e));
    const wake = api.arm('job-1');
    const other = api.arm('job-2');
    const t0 = Date.now();
    const waited = wake.wait(10_000).then(() => Date.now() - t0);
    let otherWoke = false;
    const otherWait = other.wait(10_000).then(() => (otherWoke = true));
    await worker.publishFinished('job-1', 'succeeded');
    expect(await waited).toBeLessThan(2_000);
    expect(seen).toEqual([{ jobId: 'job-1', status: 'succeeded' }]);
    expect(otherWoke).toBe(false);
    // Disarmed, a wait in progress ends at once, its 10 s timer cleared.
    const t1 = Date.now();
    other.disarm();
    await otherWait;
    expect(Date.now() - t1).toBeLessThan(1_000);
  });

  it('an event between arming and waiting is not lost; without one the wait ends at its deadline', async () => {
    const wake = api.arm('job-3');
    await worker.publishFinished('job-3', 'canceled');
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await wake.wait(10_000);
    expect(Date.now() - t0).toBeLessThan(100);

    const idle = api.arm('job-4');
    const t1 = Date.now();
    await idle.wait(300);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(290);
  });
});
