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

/** The Redis keys matching `pattern` whose name or value (whatever its type) holds `marker`; throws when no key matches at all. */
export async function redisKeysContaining(redis: Redis, pattern: string, marker: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  let scanned = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      scanned += 1;
      if (`${key} ${await redisValueText(redis, key)}`.includes(marker)) found.push(key);
    }
  } while (cursor !== '0');
  if (!scanned) throw new Error(`no Redis key matches ${pattern}: nothing was scanned`);
  return found;
}

/** A key's value as text, whatever its type. */
async function redisValueText(redis: Redis, key: string): Promise<string> {
  switch (await redis.type(key)) {
    case 'string':
      return (await redis.getBuffer(key))?.toString('latin1') ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, 0, -1));
    case 'stream':
      return JSON.stringify(await redis.xrange(key, '-', '+'));
    default:
      return '';
  }
}
