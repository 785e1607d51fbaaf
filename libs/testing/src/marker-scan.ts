import type { Redis } from 'ioredis';
import type { Client } from 'pg';

/** The tables (partitions included, every schema but the system ones) with a row whose text holds `marker`. */
export async function tablesContaining(pg: Client, marker: string): Promise<string[]> {
  const { rows: tables } = await pg.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
  );
  const found: string[] = [];
  for (const { name } of tables) {
    const { rows } = await pg.query(`SELECT 1 FROM ${name} t WHERE strpos(t::text, $1) > 0 LIMIT 1`, [marker]);
    if (rows.length) found.push(name);
  }
  return found;
}

/**
 * The Redis keys matching `pattern` whose name or value (whatever its type) holds `marker`; throws when no key
 * matches at all. Each SCAN batch is read in two pipelined round trips (the types, then the values), so a Redis
 * holding tens of thousands of keys (a shared test server) is scanned in seconds.
 */
export async function redisKeysContaining(redis: Redis, pattern: string, marker: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  let scanned = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    scanned += keys.length;
    const types = await pipelined(redis, keys.map((key) => ['type', key]));
    const reads = keys.map((key, i) => READS[String(types[i])]?.(key) ?? null);
    const values = await pipelined(redis, reads.filter((r): r is string[] => r !== null));
    let v = 0;
    keys.forEach((key, i) => {
      const value = reads[i] ? values[v++] : '';
      if (`${key} ${valueText(value)}`.includes(marker)) found.push(key);
    });
  } while (cursor !== '0');
  if (!scanned) throw new Error(`no Redis key matches ${pattern}: nothing was scanned`);
  return found;
}

/** The command that reads a key's whole value, per type. */
const READS: Record<string, (key: string) => string[]> = {
  string: (key) => ['getBuffer', key],
  hash: (key) => ['hgetall', key],
  list: (key) => ['lrange', key, '0', '-1'],
  set: (key) => ['smembers', key],
  zset: (key) => ['zrange', key, '0', '-1'],
  stream: (key) => ['xrange', key, '-', '+'],
};

async function pipelined(redis: Redis, commands: string[][]): Promise<unknown[]> {
  if (!commands.length) return [];
  const results = (await redis.pipeline(commands).exec()) ?? [];
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

/** A value as text: strings as latin1 bytes (binary-safe), anything else as JSON. */
const valueText = (value: unknown): string => (Buffer.isBuffer(value) ? value.toString('latin1') : JSON.stringify(value ?? ''));
