import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { RunsRepository, SpansRepository, type RunRecord } from '@switchyard/persistence';
import { IngestQueue, type IngestConsumer, type QueueEntry } from '../queue/ingest-queue';

/** Concatenates JSON array texts without parsing them. */
export function joinJsonArrays(arrays: string[]): string {
  const inner = arrays.map((a) => a.trim().slice(1, -1).trim()).filter((a) => a.length > 0);
  return `[${inner.join(',')}]`;
}

/** A stream id `ms-seq` as one increasing integer (run versions). */
export function streamIdOrdinal(id: string): string {
  const [ms, seq] = id.split('-');
  return (BigInt(ms ?? '0') * 1_000_000n + BigInt(seq ?? '0')).toString();
}

/** PostgreSQL errors that retrying cannot fix (bad data, a deleted project): the entry goes to the dead-letter stream. */
export function isPoisonError(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = typeof e?.driverError?.code === 'string' ? e.driverError.code : typeof e?.code === 'string' ? e.code : '';
  return /^(22|23)/.test(code);
}

/**
 * Drains the ingest queue into PostgreSQL: takes entries as a consumer of the queue, writes them in
 * batches (one statement per project and kind), then acknowledges them. A batch that fails for a
 * transient reason (PostgreSQL down) is retried with backoff and stays pending in Redis meanwhile;
 * entries left pending by a dead writer are claimed by the queue after `claimIdleMs`. Writes are
 * idempotent, so a batch written twice (crash between write and ack) stores nothing twice.
 */
@Injectable()
export class SpanWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SpanWriter');
  private consumers: IngestConsumer[] = [];
  private stopping = false;
  private loops: Promise<void>[] | undefined;
  private readonly wakers = new Set<() => void>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly queue: IngestQueue,
    private readonly spans: SpansRepository,
    private readonly runs: RunsRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.collector.writerEnabled) return;
    this.start();
  }

  /**
   * Starts `writerConcurrency` loops. Each is its own consumer with its own blocking Redis
   * connection, so while one waits for PostgreSQL the next batch is already being read and sent.
   */
  start(): void {
    if (this.loops) return;
    this.stopping = false;
    this.loops = Array.from({ length: this.config.collector.writerConcurrency }, (_, lane) => {
      const consumer = this.queue.consumer(lane);
      this.consumers.push(consumer);
      return this.run(consumer).catch((err: unknown) => this.logger.error(`writer stopped: ${(err as Error).message}`));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakers) wake();
    await Promise.all(this.loops ?? []);
    this.loops = undefined;
    await Promise.all(this.consumers.map((c) => c.close()));
    this.consumers = [];
  }

  private async run(consumer: IngestConsumer): Promise<void> {
    await consumer.ensureGroup();
    while (!this.stopping) {
      try {
        const entries = await consumer.read();
        if (entries.length) await this.writeUntilDone(consumer, entries);
      } catch (err) {
        if (this.stopping) break;
        this.logger.warn(`queue read failed: ${(err as Error).message}`);
        await this.sleep(1000);
      }
    }
  }

  /** Writes entries, retrying transient failures with backoff until written or shutting down (they stay pending). */
  private async writeUntilDone(consumer: IngestConsumer, entries: QueueEntry[]): Promise<void> {
    let delay = 200;
    for (;;) {
      try {
        await this.write(entries);
        await consumer.ack(entries);
        return;
      } catch (err) {
        if (isPoisonError(err)) {
          await this.writeOneByOne(consumer, entries);
          return;
        }
        this.logger.warn(`write of ${entries.length} queue entries failed, retrying in ${delay} ms: ${(err as Error).message}`);
        if (this.stopping) return; // still pending: the next writer claims them
        await this.sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  private async writeOneByOne(consumer: IngestConsumer, entries: QueueEntry[]): Promise<void> {
    for (const entry of entries) {
      try {
        await this.write([entry]);
      } catch (err) {
        if (!isPoisonError(err)) throw err;
        this.logger.error(`queue entry ${entry.id} cannot be stored (${(err as Error).message}); moved to the dead-letter stream`);
        await consumer.deadLetter(entry, (err as Error).message);
        continue;
      }
      await consumer.ack([entry]);
    }
  }

  /** One statement per project and kind, spans chunked at `writerBatchSpans`. */
  async write(entries: QueueEntry[]): Promise<void> {
    const groups = new Map<string, QueueEntry[]>();
    for (const e of entries) {
      const key = `${e.kind}:${e.projectId}`;
      const g = groups.get(key);
      if (g) g.push(e);
      else groups.set(key, [e]);
    }
    for (const group of groups.values()) {
      const { kind, projectId } = group[0]!;
      if (kind === 'runs') {
        const records = group.flatMap((e) =>
          (JSON.parse(e.data) as RunRecord[]).map((r) => ({ ...r, version: streamIdOrdinal(e.id) })),
        );
        await this.runs.upsertJson(projectId, JSON.stringify(records));
        continue;
      }
      let chunk: string[] = [];
      let size = 0;
      for (const e of group) {
        chunk.push(e.data);
        size += e.count;
        if (size >= this.config.collector.writerBatchSpans) {
          await this.spans.insertJson(projectId, joinJsonArrays(chunk));
          chunk = [];
          size = 0;
        }
      }
      if (chunk.length) await this.spans.insertJson(projectId, joinJsonArrays(chunk));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.wakers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
