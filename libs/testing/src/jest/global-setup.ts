import { randomBytes } from 'node:crypto';
import { parseConfig, rawEnv } from '@switchyard/config';
import { createDataSource, ensureDatabase, migrateUp } from '@switchyard/persistence';
import { adminClient, TEMPLATE_DB_ENV } from '../test-database';

const STALE_AFTER_S = 6 * 3600;

/** Migrates a template database once per run; every suite clones its own database from it. */
export default async function globalSetup(): Promise<void> {
  const base = parseConfig({ ...rawEnv(), NODE_ENV: 'test' });
  // The creation time in the name lets later runs tell a leftover from a concurrent run's database.
  const name = `sy_tmpl_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
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
  // Remove template and clone databases left behind by runs that were killed: only those older than
  // STALE_AFTER_S, so that runs sharing this PostgreSQL (other checkouts, CI) never lose theirs.
  const client = await adminClient(base.database.url);
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^sy_(tmpl|t)_[0-9]+_'`);
    const now = Math.floor(Date.now() / 1000);
    for (const { datname } of rows) {
      const created = Number(datname.split('_')[2]);
      if (now - created > STALE_AFTER_S) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}
