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
