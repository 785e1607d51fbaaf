import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { RunsRepository, SpansRepository, type RunRecord } from '@switchyard/persistence';
import { createRedis } from '@switchyard/persistence';
import type { Redis } from 'ioredis';
import { queueKeys, type QueueItemKind } from '../ingest/ingest-queue';

export interface QueueEntry {
  id: string;
  projectId: string;
  kind: QueueItemKind;
  count: number;
  data: string;
}

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
 * Drains the ingest stream into PostgreSQL: reads entries as consumer of group `writers`, writes
 * them in batches (one statement per project and kind), then acknowledges them. A batch that
 * fails for a transient reason (PostgreSQL down) is retried with backoff and stays pending in
 * Redis meanwhile; entries left pending by a dead writer are claimed after `claimIdleMs`.
 * Writes are idempotent, so a batch written twice (crash between write and ack) stores nothing twice.
 */
@Injectable()
export class SpanWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SpanWriter');
  private readonly keys: ReturnType<typeof queueKeys>;
  private readonly consumerBase = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private redises: Redis[] = [];
  private stopping = false;
  private loops: Promise<void>[] | undefined;
  private readonly wakers = new Set<() => void>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    private readonly spans: SpansRepository,
    private readonly runs: RunsRepository,
  ) {
    this.keys = queueKeys(config.redis.prefix);
  }

  onApplicationBootstrap(): void {
    if (!this.config.collector.writerEnabled) return;
    this.start();
  }

  /**
   * Starts `writerConcurrency` loops. Each is its own consumer of the group with its own blocking
   * Redis connection, so while one waits for PostgreSQL the next batch is already being read and sent.
   */
  start(): void {
    if (this.loops) return;
    this.stopping = false;
    this.loops = Array.from({ length: this.config.collector.writerConcurrency }, (_, lane) => {
      const redis = createRedis(this.config, 'switchyard-collector-writer', { enableAutoPipelining: false, maxRetriesPerRequest: null });
      this.redises.push(redis);
      return this.run(redis, `${this.consumerBase}-${lane}`).catch((err: unknown) => this.logger.error(`writer stopped: ${(err as Error).message}`));
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
    await Promise.all(this.redises.map((r) => r.quit().catch(() => r.disconnect())));
    this.redises = [];
  }

  private async run(redis: Redis, consumer: string): Promise<void> {
    await this.ensureGroup(redis);
    let lastClaim = 0;
    while (!this.stopping) {
      try {
        let entries: QueueEntry[] = [];
        if (Date.now() - lastClaim >= Math.min(this.config.collector.claimIdleMs / 2, 5_000)) {
          lastClaim = Date.now();
          const claimed = (await redis.xautoclaim(this.keys.stream, this.keys.group, consumer, this.config.collector.claimIdleMs, '0-0', 'COUNT', 200)) as unknown[];
          entries = parseEntries(claimed[1]);
          const deleted = (claimed[2] as string[] | undefined) ?? [];
          if (entries.length) this.logger.warn(`claimed ${entries.length} entries left pending by another writer`);
          if (deleted.length) this.logger.warn(`${deleted.length} pending entries had been deleted`);
        }
        if (!entries.length) {
          const res = (await redis.xreadgroup(
            'GROUP', this.keys.group, consumer,
            'COUNT', Math.max(1, Math.ceil(this.config.collector.writerBatchSpans / 256)),
            'BLOCK', 1000,
            'STREAMS', this.keys.stream, '>',
          )) as [string, unknown][] | null;
          entries = parseEntries(res?.[0]?.[1]);
        }
        if (entries.length) await this.writeUntilDone(redis, entries);
      } catch (err) {
        if (this.stopping) break;
        if (/NOGROUP/.test((err as Error).message)) await this.ensureGroup(redis).catch(() => undefined);
        this.logger.warn(`queue read failed: ${(err as Error).message}`);
        await this.sleep(1000);
      }
    }
  }

  private async ensureGroup(redis: Redis): Promise<void> {
    try {
      await redis.xgroup('CREATE', this.keys.stream, this.keys.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
  }

  /** Writes entries, retrying transient failures with backoff until written or shutting down (they stay pending). */
  private async writeUntilDone(redis: Redis, entries: QueueEntry[]): Promise<void> {
    let delay = 200;
    for (;;) {
      try {
        await this.write(entries);
        await this.ack(redis, entries);
        return;
      } catch (err) {
        if (isPoisonError(err)) {
          await this.writeOneByOne(redis, entries);
          return;
        }
        this.logger.warn(`write of ${entries.length} queue entries failed, retrying in ${delay} ms: ${(err as Error).message}`);
        if (this.stopping) return; // still pending: the next writer claims them
        await this.sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  private async writeOneByOne(redis: Redis, entries: QueueEntry[]): Promise<void> {
    for (const entry of entries) {
      try {
        await this.write([entry]);
      } catch (err) {
        if (!isPoisonError(err)) throw err;
        this.logger.error(`queue entry ${entry.id} cannot be stored (${(err as Error).message}); moved to the dead-letter stream`);
        await redis.xadd(this.keys.deadLetter, '*', 'id', entry.id, 'p', entry.projectId, 'k', entry.kind, 'd', entry.data, 'e', (err as Error).message);
      }
      await this.ack(redis, [entry]);
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

  private async ack(redis: Redis, entries: QueueEntry[]): Promise<void> {
    const args = entries.flatMap((e) => [e.id, String(e.count)]);
    await redis.eval(ACK, 3, this.keys.stream, this.keys.depth, this.keys.group, ...args);
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
