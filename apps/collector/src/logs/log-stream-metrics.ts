import { Inject, Injectable, Optional } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { logStreamKeys } from '@switchyard/metering';
import { REDIS_CLIENT, RequestLogsRepository } from '@switchyard/persistence';
import { ingestQueueKeys } from '@switchyard/queue';
import { Metrics } from '@switchyard/telemetry';
import type { Redis } from 'ioredis';
import { Counter, Gauge } from 'prom-client';

/** The lag of the log stream as a scrape reads it. */
export interface LogStreamLag {
  /** Entries in the stream: not yet written (acknowledged entries are deleted). */
  length: number;
  /** Entries a writer has read and not yet acknowledged. */
  pending: number;
  /** Seconds since the oldest entry in the stream was appended (0: empty). */
  oldestAgeSeconds: number;
  /** Seconds since the oldest pending entry was appended (0: none pending). */
  oldestPendingAgeSeconds: number;
}

/** Seconds since a stream entry id (`<ms>-<seq>`) was made, never negative. */
export const ageOfEntryId = (id: string | null | undefined, now: number): number => (id ? Math.max(0, (now - Number(id.split('-')[0])) / 1000) : 0);

/** The stream's lag in one pipelined round trip (XLEN, XPENDING summary, its first entry). */
export async function readLogStreamLag(redis: Redis, prefix: string, now = Date.now()): Promise<LogStreamLag> {
  const { stream, group } = logStreamKeys(prefix);
  const results = (await redis.pipeline().xlen(stream).xpending(stream, group).xrange(stream, '-', '+', 'COUNT', 1).exec()) ?? [];
  // A missing stream or group is no lag (XPENDING answers NOGROUP before the first writer created it).
  const [length, pending, first] = results.map((r) => r?.[1]);
  const summary = Array.isArray(pending) ? (pending as [number, string | null]) : ([0, null] as const);
  const firstId = Array.isArray(first) && first.length ? (first[0] as [string])[0] : null;
  return {
    length: Number(length ?? 0),
    pending: Number(summary[0] ?? 0),
    oldestAgeSeconds: ageOfEntryId(firstId, now),
    oldestPendingAgeSeconds: ageOfEntryId(summary[1], now),
  };
}

/**
 * The log pipeline's lag on the collector's `/metrics`, read from Redis when Prometheus scrapes (one pipelined
 * round trip per scrape, nothing in between): `collector_log_stream_length`, `collector_log_stream_pending`,
 * `collector_log_stream_oldest_age_seconds`, `collector_log_stream_oldest_pending_age_seconds`; and the batches this
 * collector's writers stored by COPY or by the insert statement (`collector_log_writer_batches_total{path}`).
 */
@Injectable()
export class LogStreamMetrics {
  constructor(
    @Inject(APP_CONFIG) config: ServiceConfig,
    @Inject(REDIS_CLIENT) redis: Redis,
    logs: RequestLogsRepository,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    if (!metrics) return;
    const registers = [metrics.registry];
    let scrape: Promise<LogStreamLag> | null = null;
    // The four gauges of one scrape share one read.
    const lag = () =>
      (scrape ??= readLogStreamLag(redis, config.redis.prefix)
        .catch(() => ({ length: NaN, pending: NaN, oldestAgeSeconds: NaN, oldestPendingAgeSeconds: NaN }))
        .finally(() => setImmediate(() => (scrape = null))));
    const gauge = (name: string, help: string, read: (l: LogStreamLag) => number) => {
      const g: Gauge = new Gauge({ name, help, registers, collect: async () => g.set(read(await lag())) });
    };
    gauge('collector_log_stream_length', 'Request log stream entries not yet written to PostgreSQL', (l) => l.length);
    gauge('collector_log_stream_pending', 'Request log stream entries read by a writer and not yet acknowledged', (l) => l.pending);
    gauge('collector_log_stream_oldest_age_seconds', 'Age of the oldest request log stream entry not yet written (the writer lag)', (l) => l.oldestAgeSeconds);
    gauge('collector_log_stream_oldest_pending_age_seconds', 'Age of the oldest request log stream entry read and not yet acknowledged', (l) => l.oldestPendingAgeSeconds);
    const batches: Counter<'path'> = new Counter({
      name: 'collector_log_writer_batches_total',
      help: 'Request log batches stored by this collector: by COPY, or by the insert statement (a redelivered batch, a new day, a value COPY cannot carry)',
      labelNames: ['path'],
      registers,
      collect: () => {
        batches.reset();
        batches.inc({ path: 'copy' }, logs.batches.copied);
        batches.inc({ path: 'statement' }, logs.batches.byStatement);
      },
    });
    // The span and run ingest queue (clients' OTLP exports and the gateway's own spans): what waits for a writer.
    const depthKey = ingestQueueKeys(config.redis.prefix).depth;
    const depth: Gauge = new Gauge({
      name: 'collector_ingest_queue_depth',
      help: 'Spans and runs accepted and not yet written (COLLECTOR_QUEUE_HIGH_WATER refuses more)',
      registers,
      collect: async () => depth.set(Number((await redis.get(depthKey).catch(() => 'NaN')) ?? 0)),
    });
  }
}
