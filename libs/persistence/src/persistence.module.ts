import { Inject, Logger, Module, type DynamicModule, type FactoryProvider, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { createDataSource, initializeInBackground } from './data-source';

const CONNECTING = Symbol('CONNECTING');

interface Connecting {
  stopped: boolean;
  done: Promise<void>;
}

class DataSourceCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DataSource) private readonly ds: DataSource,
    @Inject(CONNECTING) private readonly connecting: Connecting,
  ) {}
  async onApplicationShutdown(): Promise<void> {
    this.connecting.stopped = true;
    await this.connecting.done;
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

export interface PersistenceOptions {
  /**
   * `boot` (default): start-up fails while PostgreSQL is unreachable. `background`: the service
   * starts anyway and connects when it can (the collector, which accepts into Redis meanwhile);
   * queries fail with `isDatabaseUnavailable` errors until then.
   */
  connect?: 'boot' | 'background';
}

/** A class built on the DataSource alone: a repository. */
export type RepositoryClass<T = unknown> = new (ds: DataSource) => T;

const repositoryProvider = (r: RepositoryClass): FactoryProvider => ({ provide: r, inject: [DataSource], useFactory: (ds: DataSource) => new r(ds) });

/**
 * `forRoot` provides the process's DataSource (initialized, never synchronized), globally; each feature
 * module registers the repositories it uses with `forFeature`, so a process holds only its own.
 */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions = {}): DynamicModule {
    const connecting: Connecting = { stopped: false, done: Promise.resolve() };
    const logger = new Logger('Persistence');
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        { provide: CONNECTING, useValue: connecting },
        {
          provide: DataSource,
          inject: [APP_CONFIG],
          useFactory: async (config: ServiceConfig) => {
            const ds = createDataSource(config, config.serviceName);
            if (options.connect !== 'background') return ds.initialize();
            let warned = false;
            connecting.done = initializeInBackground(
              ds,
              (err) => {
                if (!warned) logger.warn(`PostgreSQL unreachable (${err.message}); serving without it and retrying`);
                warned = true;
              },
              () => connecting.stopped,
            ).then(() => {
              if (warned && ds.isInitialized) logger.log('PostgreSQL connected');
            });
            return ds;
          },
        },
        DataSourceCloser,
      ],
      exports: [DataSource],
    };
  }

  /** Registers `repositories` (built on the root DataSource) in the importing module, and exports them. */
  static forFeature(repositories: RepositoryClass[]): DynamicModule {
    return { module: PersistenceModule, providers: repositories.map(repositoryProvider), exports: repositories };
  }
}
