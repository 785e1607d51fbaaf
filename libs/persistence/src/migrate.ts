import type { DataSource } from 'typeorm';

/** Applies pending migrations; returns their names. Idempotent. */
export async function migrateUp(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

/** Reverts every applied migration, newest first. */
export async function migrateDownAll(ds: DataSource): Promise<number> {
  let count = 0;
  while ((await ds.query(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`))[0].present) {
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM schema_migrations`);
    if (n === 0) break;
    await ds.undoLastMigration({ transaction: 'each' });
    count += 1;
  }
  return count;
}

/** Creates the database named in `url` when it does not exist (connecting to the server's `postgres` database). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const { Client } = await import('pg');
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) throw new Error(`unsupported database name '${name}'`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${name}"`);
    return true;
  } finally {
    await client.end();
  }
}
