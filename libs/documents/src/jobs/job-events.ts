import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { REDIS_CLIENT } from '@switchyard/persistence';
import { RedisChannel } from '@switchyard/queue';

export type FinalJobStatus = 'succeeded' | 'failed' | 'canceled';

/** Published once a document job reached a final status (after the row was written). */
export interface JobFinishedEvent {
  jobId: string;
  status: FinalJobStatus;
}

export type JobFinishedHandler = (event: JobFinishedEvent) => void;

const FINAL = new Set<string>(['succeeded', 'failed', 'canceled']);
const asJobFinished = (m: unknown): JobFinishedEvent | null => {
  const e = m as Partial<JobFinishedEvent> | null;
  return typeof e?.jobId === 'string' && FINAL.has(e.status ?? '') ? (e as JobFinishedEvent) : null;
};

/**
 * "This document job is final" over the `documents:job-finished` Redis channel. Whoever finishes a
 * job publishes (the worker on success or failure, the API on cancel); the API wakes `?wait` and
 * `/v1/ocr/*` requests with it instead of polling the database, and the worker aborts the model calls
 * still in flight for a job that was canceled or has already failed.
 *
 * Delivery is at most once: `onResync` handlers run when the subscription (re)connects after a loss,
 * so subscribers re-check the database for anything they may have missed.
 */
@Injectable()
export class DocumentJobEvents implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DocumentJobEvents');
  private readonly channel: RedisChannel<JobFinishedEvent>;
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(@Inject(APP_CONFIG) config: ServiceConfig, @Inject(REDIS_CLIENT) redis: Redis) {
    this.channel = new RedisChannel(config, {
      name: 'documents:job-finished',
      connectionName: `switchyard-${config.serviceName}-job-events`,
      publisher: redis,
      accept: asJobFinished,
    });
    this.channel.subscribe((event) => {
      for (const fire of [...(this.waiters.get(event.jobId) ?? [])]) fire();
    });
    this.channel.onResync(() => {
      for (const set of this.waiters.values()) for (const fire of [...set]) fire();
    });
  }

  onModuleInit(): Promise<void> {
    return this.channel.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.channel.resync();
    await this.channel.close();
  }

  /** Never throws: the status is already written, and waiters and workers re-read it on their own deadlines. */
  async publishFinished(jobId: string, status: FinalJobStatus): Promise<void> {
    await this.channel.publish({ jobId, status }).catch((err: unknown) => {
      this.logger.warn(`job event for ${jobId} not published: ${(err as Error).message}`);
    });
  }

  onFinished(handler: JobFinishedHandler): void {
    this.channel.subscribe(handler);
  }

  onResync(handler: () => void): void {
    this.channel.onResync(handler);
  }

  /**
   * A one-shot wake-up for `jobId`, armed now: `wait(ms)` resolves when the job's finish event arrives
   * (or arrived since arming), when the subscription resynchronizes, or after `ms`. Arm it before reading
   * the job, so a finish between the read and the wait is not missed. `disarm()` drops the wake-up and ends a wait
   * in progress.
   */
  arm(jobId: string): { wait: (ms: number) => Promise<void>; disarm: () => void } {
    let fired = false;
    let wake: (() => void) | undefined;
    const fire = () => {
      fired = true;
      wake?.();
    };
    const set = this.waiters.get(jobId) ?? new Set();
    set.add(fire);
    this.waiters.set(jobId, set);
    // Also ends a wait in progress (its timer cleared: nothing is left pending until its deadline).
    const disarm = () => {
      set.delete(fire);
      if (!set.size && this.waiters.get(jobId) === set) this.waiters.delete(jobId);
      wake?.();
    };
    const wait = (ms: number) =>
      new Promise<void>((resolve) => {
        if (fired || ms <= 0) return resolve();
        const timer = setTimeout(() => wake?.(), ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }).finally(disarm);
    return { wait, disarm };
  }
}
