import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '@switchyard/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

type DatabaseOptions = Pick<AppConfig['database'], 'url' | 'poolSize'> &
  Partial<Pick<AppConfig['database'], 'connectTimeoutMs' | 'statementTimeoutMs' | 'idleInTransactionTimeoutMs'>>;

/**
 * The one definition of the database connection, used by Nest, the migrate tool and tests. Every pooled
 * connection has a connect timeout, a server-side statement and idle-in-transaction timeout, and a
 * client-side query timeout a second past the statement timeout: a connection that stays open but
 * forwards nothing (a silent partition) fails its query instead of holding the caller.
 */
export function dataSourceOptions(config: { database: DatabaseOptions }, applicationName = 'switchyard'): DataSourceOptions {
  const { connectTimeoutMs = 5_000, statementTimeoutMs = 30_000, idleInTransactionTimeoutMs = 60_000 } = config.database;
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
    extra: {
      max: config.database.poolSize,
      connectionTimeoutMillis: connectTimeoutMs,
      statement_timeout: statementTimeoutMs,
      query_timeout: statementTimeoutMs + 1_000,
      idle_in_transaction_session_timeout: idleInTransactionTimeoutMs,
    },
  };
}

export function createDataSource(config: { database: DatabaseOptions }, applicationName?: string): DataSource {
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
  return /Connection terminated|timeout exceeded when trying to connect|Driver not Connected|DataSource is not initialized|Client has encountered a connection error|Query read timeout|Connection terminated due to connection timeout/i.test(message);
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
