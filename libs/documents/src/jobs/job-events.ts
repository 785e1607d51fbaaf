import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { createRedis, REDIS_CLIENT } from '@switchyard/persistence';

export type FinalJobStatus = 'succeeded' | 'failed' | 'canceled';

/** Published once a document job reached a final status (after the row was written). */
export interface JobFinishedEvent {
  jobId: string;
  status: FinalJobStatus;
}

export type JobFinishedHandler = (event: JobFinishedEvent) => void;

/**
 * "This document job is final" over Redis pub/sub (one channel under REDIS_PREFIX). Whoever finishes a
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
  private readonly channel: string;
  private subscriber: Redis | undefined;
  private readonly handlers = new Set<JobFinishedHandler>();
  private readonly resyncHandlers = new Set<() => void>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {
    this.channel = `${config.redis.prefix}:documents:job-finished`;
  }

  async onModuleInit(): Promise<void> {
    const sub = createRedis(this.config, `switchyard-${this.config.serviceName}-job-events`, { enableAutoPipelining: false });
    this.subscriber = sub;
    let lost = false;
    sub.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.dispatch(message);
    });
    sub.on('close', () => (lost = true));
    sub.on('ready', () => {
      if (!lost) return;
      lost = false;
      this.logger.warn('job event subscription reconnected; re-checking waiting jobs');
      this.resync();
    });
    await sub.subscribe(this.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    this.resync();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** Never throws: the status is already written, and waiters and workers re-read it on their own deadlines. */
  async publishFinished(jobId: string, status: FinalJobStatus): Promise<void> {
    const event: JobFinishedEvent = { jobId, status };
    await this.redis.publish(this.channel, JSON.stringify(event)).catch((err: unknown) => {
      this.logger.warn(`job event for ${jobId} not published: ${(err as Error).message}`);
    });
  }

  onFinished(handler: JobFinishedHandler): void {
    this.handlers.add(handler);
  }

  onResync(handler: () => void): void {
    this.resyncHandlers.add(handler);
  }

  /**
   * A one-shot wake-up for `jobId`, armed now: `wait(ms)` resolves when the job's finish event arrives
   * (or arrived since arming), when the subscription resynchronizes, or after `ms`. Arm it before reading
   * the job, so a finish between the read and the wait is not missed.
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
    const disarm = () => {
      set.delete(fire);
      if (!set.size && this.waiters.get(jobId) === set) this.waiters.delete(jobId);
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

  private dispatch(message: string): void {
    let event: JobFinishedEvent;
    try {
      event = JSON.parse(message) as JobFinishedEvent;
    } catch {
      return;
    }
    if (typeof event?.jobId !== 'string') return;
    for (const fire of [...(this.waiters.get(event.jobId) ?? [])]) fire();
    for (const h of this.handlers) h(event);
  }

  private resync(): void {
    for (const set of this.waiters.values()) for (const fire of [...set]) fire();
    for (const h of this.resyncHandlers) h();
  }
}
