import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@switchyard/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** The one definition of the database connection, used by Nest, the migrate tool and tests. */
export function dataSourceOptions(config: Pick<AppConfig, 'database'>, applicationName = 'switchyard'): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.database.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    applicationName,
    extra: { max: config.database.poolSize, connectionTimeoutMillis: 5000 },
  };
}

export function createDataSource(config: Pick<AppConfig, 'database'>, applicationName?: string): DataSource {
  return new DataSource(dataSourceOptions(config, applicationName));
}

/**
 * True when an error means PostgreSQL could not be reached (refused, reset, timed out, shutting
 * down, not connected yet), as opposed to an answer: callers may fall back to what they last knew.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.driverError && e.driverError !== err && isDatabaseUnavailable(e.driverError)) return true;
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code)) return true;
  if (/^(08|57P0[1-3])/.test(code)) return true; // connection exception; admin/crash shutdown, cannot connect now
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Driver not Connected|DataSource is not initialized|Client has encountered a connection error/i.test(message);
}

/**
 * Initializes `ds` in the background, retrying every `retryMs` until it connects or `stopped()`:
 * for a service that must start and serve while PostgreSQL is down (the collector). Until then its
 * queries fail with an error `isDatabaseUnavailable` recognizes.
 */
export function initializeInBackground(ds: DataSource, onRetry: (err: Error) => void, stopped: () => boolean, retryMs = 1000): Promise<void> {
  return (async () => {
    // Entity metadata is built by initialize() after connecting; without it a repository call fails
    // with "No metadata" instead of the "Driver not Connected" that says what is really wrong.
    await (ds as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
    while (!ds.isInitialized && !stopped()) {
      try {
        await ds.initialize();
      } catch (err) {
        onRetry(err as Error);
        await new Promise((r) => setTimeout(r, retryMs).unref());
      }
    }
  })();
}
