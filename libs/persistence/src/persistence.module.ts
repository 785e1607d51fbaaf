import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { createDataSource, initializeInBackground } from './data-source';
import {
  AccessKeysRepository,
  ConnectionsRepository,
  DOCUMENT_STORAGE,
  DocumentJobsRepository,
  DocumentTemplatesRepository,
  OrganizationsRepository,
  PostgresDocumentStorage,
  ProjectsRepository,
  WebhookDeliveriesRepository,
} from './repositories';

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

const repo = <T>(cls: new (ds: DataSource) => T) => ({ provide: cls, inject: [DataSource], useFactory: (ds: DataSource) => new cls(ds) });

/** Provides the DataSource (initialized, never synchronized) and the tenant-scoped repositories. */
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
        repo(OrganizationsRepository),
        repo(ProjectsRepository),
        repo(AccessKeysRepository),
        repo(ConnectionsRepository),
        repo(DocumentJobsRepository),
        repo(DocumentTemplatesRepository),
        repo(WebhookDeliveriesRepository),
        { provide: DOCUMENT_STORAGE, inject: [DataSource], useFactory: (ds: DataSource) => new PostgresDocumentStorage(ds) },
      ],
      exports: [
        DataSource,
        OrganizationsRepository,
        ProjectsRepository,
        AccessKeysRepository,
        ConnectionsRepository,
        DocumentJobsRepository,
        DocumentTemplatesRepository,
        WebhookDeliveriesRepository,
        DOCUMENT_STORAGE,
      ],
    };
  }
}
