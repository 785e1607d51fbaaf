import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { RunsRepository, SpansRepository, type RunRecord } from '@switchyard/persistence';
import { IngestQueue, type IngestConsumer, type QueueEntry } from '../queue/ingest-queue';
import { joinJsonArrays, StreamDrain } from '../queue/stream-drain';

/** A stream id `ms-seq` as one increasing integer (run versions). */
export function streamIdOrdinal(id: string): string {
  const [ms, seq] = id.split('-');
  return (BigInt(ms ?? '0') * 1_000_000n + BigInt(seq ?? '0')).toString();
}

/**
 * Drains the ingest queue into PostgreSQL (a StreamDrain: read, write, ack, retry, claim), in batches of
 * one statement per project and kind. Writes are idempotent, so a batch written twice (crash between write
 * and ack) stores nothing twice.
 */
@Injectable()
export class SpanWriter extends StreamDrain<QueueEntry> implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly queue: IngestQueue,
    private readonly spans: SpansRepository,
    private readonly runs: RunsRepository,
  ) {
    super('SpanWriter');
  }

  onApplicationBootstrap(): void {
    if (!this.config.collector.writerEnabled) return;
    this.start();
  }

  /** Starts `writerConcurrency` loops. */
  start(): void {
    this.startLanes(this.config.collector.writerConcurrency);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  protected consumer(lane: number): IngestConsumer {
    return this.queue.consumer(lane);
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
}
