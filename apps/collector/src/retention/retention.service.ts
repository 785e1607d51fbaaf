import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { ProjectsRepository, RunsRepository, SpansRepository } from '@switchyard/persistence';
import { REDIS_CLIENT } from '@switchyard/persistence';
import type { Redis } from 'ioredis';

const DAY_MS = 86_400_000;

/**
 * Deletes spans, trace summaries and runs older than each project's `retention_days`. Runs every
 * COLLECTOR_RETENTION_INTERVAL_MS in one replica at a time (a Redis lock held for the interval).
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    private readonly projects: ProjectsRepository,
    private readonly spans: SpansRepository,
    private readonly runs: RunsRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.collector.writerEnabled) return;
    const interval = this.config.collector.retentionIntervalMs;
    this.timer = setInterval(() => void this.tick(), interval);
    this.timer.unref();
    setTimeout(() => void this.tick(), Math.min(interval, 60_000)).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    const lock = `${this.config.redis.prefix}:collector:retention-lock`;
    try {
      const got = await this.redis.set(lock, String(process.pid), 'PX', this.config.collector.retentionIntervalMs, 'NX');
      if (got !== 'OK') return;
      this.running = this.runOnce();
      await this.running;
    } catch (err) {
      this.logger.warn(`retention run failed: ${(err as Error).message}`);
    }
  }

  /** One pass over every project; returns the number of spans deleted. */
  async runOnce(now = Date.now()): Promise<number> {
    let total = 0;
    for (const { id, retentionDays } of await this.projects.listRetention()) {
      const cutoffMs = now - retentionDays * DAY_MS;
      total += await this.spans.deleteOlderThan(id, (BigInt(cutoffMs) * 1_000_000n).toString());
      await this.runs.deleteOlderThan(id, new Date(cutoffMs));
    }
    if (total) this.logger.log(`retention deleted ${total} spans`);
    return total;
  }
}
