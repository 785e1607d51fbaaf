import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

/** The Redis keys of a consumed stream: the stream, its consumer group, its dead-letter stream, and an optional depth gauge. */
export interface StreamKeys {
  stream: string;
  group: string;
  deadLetter: string;
  /** A counter of items accepted and not yet acknowledged (lowered on ack by each entry's weight), when the stream has one. */
  depth?: string;
}

/**
 * How a stream's entries are read, counted and dead-lettered. Fields are read as Buffers (ioredis' buffer replies):
 * a record batch stays bytes from Redis to PostgreSQL (jsonbArrayParam), never a large V8 string.
 */
export interface StreamCodec<E extends { id: string }> {
  decode(id: string, fields: Record<string, Buffer>): E;
  /** What acknowledging the entry takes off the depth gauge. */
  weight(entry: E): number;
  /** The entry's fields as written to the dead-letter stream (besides `id` and the error `e`). */
  fields(entry: E): (string | Buffer)[];
}

export interface ConsumerSettings {
  claimIdleMs: number;
  /** Entries read per XREADGROUP. */
  readCount: number;
}

/**
 * Acknowledges entries (ARGV: group, then id/weight pairs), removes them from the stream and lowers the
 * depth gauge (KEYS[2], when given) by the weights of those this call acknowledged, atomically.
 */
const ACK = `
local n = 0
for i = 2, #ARGV, 2 do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XDEL', KEYS[1], ARGV[i])
    n = n + tonumber(ARGV[i + 1])
  end
end
if n > 0 and KEYS[2] then redis.call('DECRBY', KEYS[2], n) end
return n`;

const consumerBase = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;

/** This process's consumer name for a writer lane (unique per process, so a restarted writer's pending entries are claimed, not resumed). */
export const consumerName = (lane: number): string => `${consumerBase}-${lane}`;

/**
 * Parses XREADGROUP / XAUTOCLAIM entries read as buffers ([id, [field, value, …]]). Deleted entries come back with
 * null fields and are skipped.
 */
export function parseEntries<E extends { id: string }>(raw: unknown, codec: Pick<StreamCodec<E>, 'decode'>): E[] {
  const out: E[] = [];
  for (const item of Array.isArray(raw) ? raw : []) {
    if (!Array.isArray(item) || !Buffer.isBuffer(item[0]) || !Array.isArray(item[1])) continue;
    const f: Record<string, Buffer> = {};
    const fields = item[1] as Buffer[];
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!.toString()] = fields[i + 1]!;
    out.push(codec.decode(item[0].toString(), f));
  }
  return out;
}

/**
 * One consumer of a stream's group, with its own blocking connection: reads (claiming entries another
 * consumer left pending for `claimIdleMs` first), acknowledges, dead-letters. The one stream protocol of the
 * collector's writers (spans and runs, request logs).
 */
export class StreamConsumer<E extends { id: string }> {
  private readonly logger = new Logger('StreamConsumer');
  private lastClaim = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keys: StreamKeys,
    private readonly name: string,
    private readonly settings: ConsumerSettings,
    private readonly codec: StreamCodec<E>,
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
   * The next entries for this consumer: from time to time those another consumer left pending for
   * `claimIdleMs` (XAUTOCLAIM), else new ones, waiting up to a second for them.
   */
  async read(): Promise<E[]> {
    try {
      let entries: E[] = [];
      if (Date.now() - this.lastClaim >= Math.min(this.settings.claimIdleMs / 2, 5_000)) {
        this.lastClaim = Date.now();
        const claimed = (await this.redis.callBuffer('XAUTOCLAIM', this.keys.stream, this.keys.group, this.name, this.settings.claimIdleMs, '0-0', 'COUNT', 200)) as unknown[];
        entries = parseEntries(claimed[1], this.codec);
        const deleted = (claimed[2] as Buffer[] | undefined) ?? [];
        if (entries.length) this.logger.warn(`claimed ${entries.length} entries of ${this.keys.stream} left pending by another consumer`);
        if (deleted.length) this.logger.warn(`${deleted.length} pending entries of ${this.keys.stream} had been deleted`);
      }
      if (entries.length) return entries;
      const res = (await this.redis.callBuffer(
        'XREADGROUP', 'GROUP', this.keys.group, this.name,
        'COUNT', Math.max(1, this.settings.readCount),
        'BLOCK', 1000,
        'STREAMS', this.keys.stream, '>',
      )) as [Buffer, unknown][] | null;
      return parseEntries(res?.[0]?.[1], this.codec);
    } catch (err) {
      if (/NOGROUP/.test((err as Error).message)) await this.ensureGroup().catch(() => undefined);
      throw err;
    }
  }

  async ack(entries: E[]): Promise<void> {
    if (!entries.length) return;
    const keys = this.keys.depth ? [this.keys.stream, this.keys.depth] : [this.keys.stream];
    const args = entries.flatMap((e) => [e.id, String(this.codec.weight(e))]);
    await this.redis.eval(ACK, keys.length, ...keys, this.keys.group, ...args);
  }

  /** Moves an entry that can never be stored to the dead-letter stream, and acknowledges it. */
  async deadLetter(entry: E, error: string): Promise<void> {
    await this.redis.xadd(this.keys.deadLetter, '*', 'id', entry.id, ...this.codec.fields(entry), 'e', error);
    await this.ack([entry]);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
