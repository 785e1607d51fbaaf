/**
 * Database migrations: `node dist/tools/migrate.js up|down|reset`.
 *   up     create the database if missing, then apply pending migrations (idempotent)
 *   down   revert every migration
 *   reset  down, then up (development only: drops all data)
 */
import { loadConfig } from '@switchyard/config';
import { createDataSource, ensureDatabase, migrateDownAll, migrateUp } from '@switchyard/persistence';

async function main(command: string): Promise<void> {
  const config = loadConfig();
  if (command === 'reset' && config.env === 'production') throw new Error('refusing to reset a production database');
  if (command === 'up' || command === 'reset') {
    if (await ensureDatabase(config.database.url)) console.log('created database');
  }
  // A migration may legitimately run long (an index on a big table): only the services' pools bound statements.
  const ds = await createDataSource({ database: { ...config.database, statementTimeoutMs: 24 * 3_600_000 } }, 'switchyard-migrate').initialize();
  try {
    if (command === 'down' || command === 'reset') console.log(`reverted ${await migrateDownAll(ds)} migration(s)`);
    if (command === 'up' || command === 'reset') {
      const applied = await migrateUp(ds);
      console.log(applied.length ? `applied ${applied.join(', ')}` : 'database schema is up to date');
    }
  } finally {
    await ds.destroy();
  }
}

const command = process.argv[2] ?? 'up';
if (!['up', 'down', 'reset'].includes(command)) {
  console.error('usage: migrate up|down|reset');
  process.exit(2);
}
main(command).catch((err: unknown) => {
  console.error(`migrate ${command} failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
