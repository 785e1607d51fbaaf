import { randomBytes } from 'node:crypto';
import { parseConfig, rawEnv } from '@switchyard/config';
import { createDataSource, ensureDatabase, migrateUp } from '@switchyard/persistence';
import { adminClient, TEMPLATE_DB_ENV } from '../test-database';

/** Migrates a template database once per run; every suite clones its own database from it. */
export default async function globalSetup(): Promise<void> {
  const base = parseConfig({ ...rawEnv(), NODE_ENV: 'test' });
  const name = `sy_tmpl_${randomBytes(5).toString('hex')}`;
  const url = new URL(base.database.url);
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  const ds = await createDataSource({ database: { url: url.toString(), poolSize: 2 } }, 'switchyard-test-setup').initialize();
  try {
    await migrateUp(ds);
  } finally {
    await ds.destroy();
  }
  // Jest workers inherit the environment of the process that ran the global setup: the only channel to them.
  // eslint-disable-next-line no-restricted-properties
  process.env[TEMPLATE_DB_ENV] = name;
  // Remove template and clone databases left behind by runs that were killed.
  const client = await adminClient(base.database.url);
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ '^sy_(tmpl|t)_' AND datname <> $1`,
      [name],
    );
    for (const { datname } of rows) {
      const stale = await client.query(`SELECT 1 FROM pg_stat_activity WHERE datname = $1`, [datname]);
      if (!stale.rowCount) await client.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
