import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { createRedis, REDIS_CLIENT } from '@switchyard/persistence';
import type { Redis } from 'ioredis';
import { CollectorException } from '../ingest/collector.exception';

export type QueueItemKind = 'spans' | 'runs';

/** One accepted request's records (spans or runs) of one project, as a JSON array text. */
export interface QueueEntry {
  id: string;
  projectId: string;
  kind: QueueItemKind;
  count: number;
  data: string;
}

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

/** Acknowledges entries, removes them from the stream and lowers the depth gauge, atomically. */
const ACK = `
local n = 0
for i = 1, #ARGV, 2 do
  if redis.call('XACK', KEYS[1], KEYS[3], ARGV[i]) == 1 then
    redis.call('XDEL', KEYS[1], ARGV[i])
    n = n + tonumber(ARGV[i + 1])
  end
end
if n > 0 then redis.call('DECRBY', KEYS[2], n) end
return n`;

/** Parses XREADGROUP / XAUTOCLAIM entries ([id, [field, value, …]]). Deleted entries come back with null fields. */
export function parseEntries(raw: unknown): QueueEntry[] {
  const out: QueueEntry[] = [];
  for (const item of Array.isArray(raw) ? raw : []) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || !Array.isArray(item[1])) continue;
    const f: Record<string, string> = {};
    const fields = item[1] as string[];
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    out.push({ id: item[0], projectId: f['p'] ?? '', kind: f['k'] === 'runs' ? 'runs' : 'spans', count: Number(f['n'] ?? 0), data: f['d'] ?? '[]' });
  }
  return out;
}

/**
 * The durable ingest queue, a Redis Stream, and its whole protocol: a request's records are appended
 * (and counted against the high-water mark) before the collector answers 200; writers read them as
 * consumers of the group `writers`, claim entries a dead writer left pending, and acknowledge what
 * they stored (or moved to the dead-letter stream).
 */
@Injectable()
export class IngestQueue {
  private readonly keys: ReturnType<typeof queueKeys>;
  private readonly consumerBase = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

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

  /** A consumer of the group with its own blocking connection (one per writer lane). */
  consumer(lane: number): IngestConsumer {
    const redis = createRedis(this.config, 'switchyard-collector-writer', { enableAutoPipelining: false, maxRetriesPerRequest: null });
    return new IngestConsumer(redis, this.keys, `${this.consumerBase}-${lane}`, this.config.collector);
  }
}

/** One consumer of the ingest stream's group: read (claiming stale pending entries first), acknowledge, dead-letter. */
export class IngestConsumer {
  private readonly logger = new Logger('IngestQueue');
  private lastClaim = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keys: ReturnType<typeof queueKeys>,
    private readonly name: string,
    private readonly settings: Pick<ServiceConfig['collector'], 'claimIdleMs' | 'writerBatchSpans'>,
  ) {}

  /** Creates the stream and the group when missing. */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.keys.stream, this.keys.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
  }

  /**
   * The next entries for this consumer: from time to time those another writer left pending for
   * `claimIdleMs` (XAUTOCLAIM), else new ones, waiting up to a second for them.
   */
  async read(): Promise<QueueEntry[]> {
    try {
      let entries: QueueEntry[] = [];
      if (Date.now() - this.lastClaim >= Math.min(this.settings.claimIdleMs / 2, 5_000)) {
        this.lastClaim = Date.now();
        const claimed = (await this.redis.xautoclaim(this.keys.stream, this.keys.group, this.name, this.settings.claimIdleMs, '0-0', 'COUNT', 200)) as unknown[];
        entries = parseEntries(claimed[1]);
        const deleted = (claimed[2] as string[] | undefined) ?? [];
        if (entries.length) this.logger.warn(`claimed ${entries.length} entries left pending by another writer`);
        if (deleted.length) this.logger.warn(`${deleted.length} pending entries had been deleted`);
      }
      if (entries.length) return entries;
      const res = (await this.redis.xreadgroup(
        'GROUP', this.keys.group, this.name,
        'COUNT', Math.max(1, Math.ceil(this.settings.writerBatchSpans / 256)),
        'BLOCK', 1000,
        'STREAMS', this.keys.stream, '>',
      )) as [string, unknown][] | null;
      return parseEntries(res?.[0]?.[1]);
    } catch (err) {
      if (/NOGROUP/.test((err as Error).message)) await this.ensureGroup().catch(() => undefined);
      throw err;
    }
  }

  async ack(entries: QueueEntry[]): Promise<void> {
    const args = entries.flatMap((e) => [e.id, String(e.count)]);
    await this.redis.eval(ACK, 3, this.keys.stream, this.keys.depth, this.keys.group, ...args);
  }

  /** Moves an entry that can never be stored to the dead-letter stream, and acknowledges it. */
  async deadLetter(entry: QueueEntry, error: string): Promise<void> {
    await this.redis.xadd(this.keys.deadLetter, '*', 'id', entry.id, 'p', entry.projectId, 'k', entry.kind, 'd', entry.data, 'e', error);
    await this.ack([entry]);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
