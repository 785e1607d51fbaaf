import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { createRedis, REDIS_CLIENT } from '@switchyard/persistence';
import { INGEST_ENQUEUE_SCRIPT, ingestQueueKeys, type IngestItemKind } from '@switchyard/queue';
import { jsonbSafe } from '@switchyard/types';
import type { Redis } from 'ioredis';
import { CollectorException } from '../ingest/collector.exception';
import { consumerName, StreamConsumer, type StreamCodec } from './stream-consumer';
import { EMPTY_ARRAY } from './stream-drain';

export type QueueItemKind = IngestItemKind;

/** One accepted request's records (spans or runs) of one project, as the UTF-8 bytes of a JSON array. */
export interface QueueEntry {
  id: string;
  projectId: string;
  kind: QueueItemKind;
  count: number;
  data: Buffer;
}

export const queueKeys = ingestQueueKeys;

/** Ingest queue entries: `p` project, `k` kind, `n` record count (the depth gauge's weight), `d` the records. */
export const INGEST_CODEC: StreamCodec<QueueEntry> = {
  decode: (id, f) => ({
    id,
    projectId: f['p']?.toString() ?? '',
    kind: f['k']?.toString() === 'runs' ? 'runs' : 'spans',
    count: Number(f['n']?.toString() ?? 0),
    data: f['d'] ?? EMPTY_ARRAY,
  }),
  weight: (e) => e.count,
  fields: (e) => ['p', e.projectId, 'k', e.kind, 'd', e.data],
};

/** Records stringified per call: about 60 KB of spans, under V8's 128 KB large-object size, and as fast as one call. */
const STRINGIFY_RECORDS = 64;

/**
 * A JSON array's UTF-8 bytes, stringified 64 records at a time: a request's records (megabytes for a large export)
 * never become one large V8 string, which would live in the large-object space until a full GC. The ioredis
 * command carrying a Buffer is written as buffers too.
 */
export function jsonArrayBytes(records: readonly unknown[]): Buffer {
  const texts: string[] = [];
  for (let i = 0; i < records.length; i += STRINGIFY_RECORDS) texts.push(jsonbSafe(JSON.stringify(records.slice(i, i + STRINGIFY_RECORDS))));
  if (!texts.length) return Buffer.from('[]');
  // Each text is an array: the next one is written over the previous one's `]`, and its `[` becomes a comma.
  let size = 1 - texts.length;
  for (const t of texts) size += Buffer.byteLength(t);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  texts.forEach((t, i) => {
    const start = i ? at - 1 : 0;
    at = start + out.write(t, start);
    if (i) out[start] = 0x2c;
  });
  return out;
}

export type IngestConsumer = StreamConsumer<QueueEntry>;

/**
 * The durable ingest queue, a Redis Stream, and its whole protocol: a request's records are appended
 * (and counted against the high-water mark) before the collector answers 200; writers read them as
 * consumers of the group `writers` (StreamConsumer: claim entries a dead writer left pending, acknowledge
 * what they stored or moved to the dead-letter stream).
 */
@Injectable()
export class IngestQueue {
  private readonly keys: ReturnType<typeof queueKeys>;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {
    this.keys = queueKeys(config.redis.prefix);
  }

  /** Appends a request's records, as the UTF-8 bytes of a JSON array (jsonArrayBytes). */
  async enqueue(projectId: string, kind: QueueItemKind, records: readonly unknown[]): Promise<string> {
    const unavailable = () =>
      new CollectorException('queue_unavailable', 'The ingest queue is unavailable; retry later.', { retryAfterSeconds: 5 });
    // Never wait for a reconnect with the exporter on the line: answer 503 and let it retry.
    if (this.redis.status !== 'ready') throw unavailable();
    let result: unknown;
    try {
      result = await this.redis.eval(
        INGEST_ENQUEUE_SCRIPT,
        2,
        this.keys.stream,
        this.keys.depth,
        String(this.config.collector.queueHighWater),
        projectId,
        kind,
        String(records.length),
        jsonArrayBytes(records),
      );
    } catch {
      throw unavailable();
    }
    if (result === 0 || result === null) {
      throw new CollectorException('queue_full', 'The collector is over its queue high-water mark; retry later.', { retryAfterSeconds: 2 });
    }
    return String(result);
  }

  async depth(): Promise<number> {
    return Number((await this.redis.get(this.keys.depth)) ?? 0);
  }

  /** A consumer of the group with its own blocking connection (one per writer lane). */
  consumer(lane: number): IngestConsumer {
    const redis = createRedis(this.config, 'switchyard-collector-writer', { enableAutoPipelining: false, maxRetriesPerRequest: null });
    const { claimIdleMs, writerBatchSpans } = this.config.collector;
    return new StreamConsumer(redis, this.keys, consumerName(lane), { claimIdleMs, readCount: Math.ceil(writerBatchSpans / 256) }, INGEST_CODEC);
  }
}
