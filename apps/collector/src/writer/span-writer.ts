import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { jsonbArrayParam, RunsRepository, SpansRepository, type RunRecord } from '@switchyard/persistence';
import { IngestQueue, type IngestConsumer, type QueueEntry } from '../queue/ingest-queue';
import { STATEMENT_BYTES, StreamDrain } from '../queue/stream-drain';

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

  /** One statement per project and kind, spans chunked at `writerBatchSpans` or STATEMENT_BYTES, whichever comes first. */
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
          (JSON.parse(e.data.toString()) as RunRecord[]).map((r) => ({ ...r, version: streamIdOrdinal(e.id) })),
        );
        await this.runs.upsertJson(projectId, JSON.stringify(records));
        continue;
      }
      for (const chunk of spanChunks(group, this.config.collector.writerBatchSpans, STATEMENT_BYTES)) {
        await this.spans.insertJson(projectId, jsonbArrayParam(chunk));
      }
    }
  }
}

/**
 * Cuts entries' span arrays into statements: one is cut once it holds `maxSpans` spans, and before an entry would
 * take it past `maxBytes` (an entry is never split).
 */
export function spanChunks(entries: Pick<QueueEntry, 'count' | 'data'>[], maxSpans: number, maxBytes: number): Buffer[][] {
  const out: Buffer[][] = [];
  let chunk: Buffer[] = [];
  let spans = 0;
  let bytes = 0;
  const cut = () => {
    out.push(chunk);
    chunk = [];
    spans = 0;
    bytes = 0;
  };
  for (const e of entries) {
    if (chunk.length && bytes + e.data.length > maxBytes) cut();
    chunk.push(e.data);
    spans += e.count;
    bytes += e.data.length;
    if (spans >= maxSpans) cut();
  }
  if (chunk.length) out.push(chunk);
  return out;
}
