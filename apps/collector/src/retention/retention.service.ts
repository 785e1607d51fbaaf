import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { ProjectsRepository, RequestLogsRepository, RunsRepository, SpansRepository } from '@switchyard/persistence';
import { REDIS_CLIENT } from '@switchyard/persistence';
import type { Redis } from 'ioredis';

const DAY_MS = 86_400_000;

/**
 * Deletes spans, trace summaries, runs and request logs older than each project's `retention_days`. Request logs
 * go mostly by whole day partitions (those older than the largest retention of any project are dropped); a
 * project with a shorter retention has its older logs deleted in bounded batches. Runs every
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
    private readonly logs: RequestLogsRepository,
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
    let logs = 0;
    const projects = await this.projects.listRetention();
    const longest = Math.max(0, ...projects.map((p) => p.retentionDays));
    const dropped = projects.length ? await this.logs.dropPartitionsBefore(new Date(now - longest * DAY_MS)) : [];
    for (const { id, retentionDays } of projects) {
      const cutoffMs = now - retentionDays * DAY_MS;
      total += await this.spans.deleteOlderThan(id, (BigInt(cutoffMs) * 1_000_000n).toString());
      await this.runs.deleteOlderThan(id, new Date(cutoffMs));
      if (retentionDays < longest) logs += await this.logs.deleteOlderThan(id, new Date(cutoffMs));
    }
    if (total) this.logger.log(`retention deleted ${total} spans`);
    if (logs || dropped.length) this.logger.log(`retention deleted ${logs} request logs and dropped the log partitions of ${dropped.join(', ') || 'no day'}`);
    return total;
  }
}
