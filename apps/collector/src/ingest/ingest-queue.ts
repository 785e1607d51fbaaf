import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { REDIS_CLIENT } from '@switchyard/persistence';
import type { Redis } from 'ioredis';
import { CollectorException } from './collector.exception';

export type QueueItemKind = 'spans' | 'runs';

/** Redis keys of the ingest queue, all under REDIS_PREFIX. */
export function queueKeys(prefix: string) {
  return {
    stream: `${prefix}:collector:ingest`,
    /** Items (spans or runs) accepted and not yet acknowledged by a writer: the backpressure gauge. */
    depth: `${prefix}:collector:ingest:depth`,
    deadLetter: `${prefix}:collector:dead`,
    group: 'writers',
  };
}

/**
 * Appends one request's records to the stream and counts them, atomically, unless the queue is at
 * its high-water mark. Returns the entry id, or 0 when refused.
 */
const ENQUEUE = `
local depth = tonumber(redis.call('GET', KEYS[2]) or '0')
if depth >= tonumber(ARGV[1]) then return 0 end
local id = redis.call('XADD', KEYS[1], '*', 'p', ARGV[2], 'k', ARGV[3], 'n', ARGV[4], 'd', ARGV[5])
redis.call('INCRBY', KEYS[2], ARGV[4])
return id`;

/**
 * The durable ingest queue: a Redis Stream. A request's records are in Redis before the collector
 * answers 200; writers (consumer group `writers`) move them to PostgreSQL and acknowledge them.
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

  async enqueue(projectId: string, kind: QueueItemKind, count: number, recordsJson: string): Promise<string> {
    const unavailable = () =>
      new CollectorException('queue_unavailable', 'The ingest queue is unavailable; retry later.', { retryAfterSeconds: 5 });
    // Never wait for a reconnect with the exporter on the line: answer 503 and let it retry.
    if (this.redis.status !== 'ready') throw unavailable();
    let result: unknown;
    try {
      result = await this.redis.eval(
        ENQUEUE,
        2,
        this.keys.stream,
        this.keys.depth,
        String(this.config.collector.queueHighWater),
        projectId,
        kind,
        String(count),
        recordsJson,
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
}
