import { randomBytes } from 'node:crypto';
import { parseConfig, rawEnv } from '@switchyard/config';
import { createDataSource, ensureDatabase, migrateUp } from '@switchyard/persistence';
import { adminClient, TEMPLATE_DB_ENV, TEMPLATE_PREFIX } from '@switchyard/testing';

/** Longer than any test run. */
const STALE_AFTER_SECONDS = 6 * 3600;

/** Migrates a template database once per run; every suite clones its own database from it. */
export default async function globalSetup(): Promise<void> {
  const base = parseConfig({ ...rawEnv(), NODE_ENV: 'test' });
  const name = `${TEMPLATE_PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
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
  // Remove template and clone databases left behind by runs that were killed. Names carry their
  // creation time: only old ones go, so runs of other checkouts sharing this server keep theirs
  // (a template sits idle between clones; "no connection right now" does not mean abandoned).
  const client = await adminClient(base.database.url);
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^sy_(tpl|tc)_[0-9]+_'`);
    const cutoff = Date.now() / 1000 - STALE_AFTER_SECONDS;
    for (const { datname } of rows) {
      if (datname !== name && Number(datname.split('_')[2]) < cutoff) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
      }
    }
  } finally {
    await client.end();
  }
}
