import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { logStreamKeys } from '@switchyard/metering';
import { createRedis, jsonbArrayParam, RequestLogsRepository } from '@switchyard/persistence';
import { consumerName, StreamConsumer, type StreamCodec } from '../queue/stream-consumer';
import { EMPTY_ARRAY, STATEMENT_BYTES, StreamDrain } from '../queue/stream-drain';

/** One entry of the log stream: `d`, a JSON array of RequestLogRecords (any projects), as UTF-8 bytes. */
export interface LogStreamEntry {
  id: string;
  data: Buffer;
}

export const LOG_STREAM_CODEC: StreamCodec<LogStreamEntry> = {
  decode: (id, f) => ({ id, data: f['d'] ?? EMPTY_ARRAY }),
  weight: () => 0,
  fields: (e) => ['d', e.data],
};

/**
 * Entries read per XREADGROUP: one record each as the router writes them through, up to 10 when it sends records
 * held during a Redis outage (so a read holds at most 10,000 records; a statement is still cut at STATEMENT_BYTES).
 */
const READ_COUNT = 1000;
/** Partitions are created this many days ahead, at start and every hour. */
const DAYS_AHEAD = 2;
const HOUR_MS = 3_600_000;

/** The UTC days (YYYY-MM-DD) from `now` to `days` ahead. */
export function daysAhead(now: number, days: number): string[] {
  return Array.from({ length: days + 1 }, (_, i) => new Date(now + i * 86_400_000).toISOString().slice(0, 10));
}

/** Cuts JSON arrays into groups of about `maxBytes` bytes (an array larger than that is a group alone). */
export function chunkBySize<T extends { length: number }>(arrays: T[], maxBytes: number): T[][] {
  const out: T[][] = [];
  let chunk: T[] = [];
  let size = 0;
  for (const a of arrays) {
    if (chunk.length && size + a.length > maxBytes) {
      out.push(chunk);
      chunk = [];
      size = 0;
    }
    chunk.push(a);
    size += a.length;
  }
  if (chunk.length) out.push(chunk);
  return out;
}

/**
 * The request-log writer: drains the router's log stream (`logStreamKeys`, consumer group `log-writers`) into
 * `request_logs` and `request_log_bodies`, with the same read/claim/ack/dead-letter protocol as the span writer.
 * A batch of entries is stored in one transaction (by COPY, or by one multi-row statement: RequestLogsRepository),
 * acknowledged after it committed; idempotent on the log id, so a redelivered batch stores nothing twice. Records of
 * projects that no longer exist are dropped (and acknowledged with the rest).
 */
@Injectable()
export class LogWriter extends StreamDrain<LogStreamEntry> implements OnApplicationBootstrap, OnApplicationShutdown {
  private partitionTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly logs: RequestLogsRepository,
  ) {
    super('LogWriter');
  }

  onApplicationBootstrap(): void {
    if (!this.config.collector.writerEnabled) return;
    this.start();
  }

  /** Starts `writerConcurrency` loops and the partition maintenance. */
  start(): void {
    void this.ensurePartitionsAhead();
    this.partitionTimer ??= setInterval(() => void this.ensurePartitionsAhead(), HOUR_MS);
    this.partitionTimer.unref();
    this.startLanes(this.config.collector.writerConcurrency);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.partitionTimer) clearInterval(this.partitionTimer);
    this.partitionTimer = undefined;
    await this.stop();
  }

  protected consumer(lane: number): StreamConsumer<LogStreamEntry> {
    const redis = createRedis(this.config, 'switchyard-log-writer', { enableAutoPipelining: false, maxRetriesPerRequest: null });
    const settings = { claimIdleMs: this.config.collector.claimIdleMs, readCount: READ_COUNT };
    return new StreamConsumer(redis, logStreamKeys(this.config.redis.prefix), consumerName(lane), settings, LOG_STREAM_CODEC);
  }

  async write(entries: LogStreamEntry[]): Promise<void> {
    for (const chunk of chunkBySize(entries.map((e) => e.data), STATEMENT_BYTES)) await this.logs.insertJson(jsonbArrayParam(chunk));
  }

  private async ensurePartitionsAhead(): Promise<void> {
    try {
      await this.logs.ensurePartitions(daysAhead(Date.now() - 86_400_000, DAYS_AHEAD + 1));
    } catch (err) {
      // At start PostgreSQL may not be connected yet (the collector connects in the background): try again soon.
      this.logger.warn(`could not create request log partitions ahead (retrying in a minute): ${(err as Error).message}`);
      if (this.partitionTimer) setTimeout(() => void this.ensurePartitionsAhead(), 60_000).unref();
    }
  }
}
