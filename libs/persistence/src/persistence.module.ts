import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { createDataSource } from './data-source';
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

class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly ds: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

const repo = <T>(cls: new (ds: DataSource) => T) => ({ provide: cls, inject: [DataSource], useFactory: (ds: DataSource) => new cls(ds) });

/** Provides the DataSource (initialized, never synchronized) and the tenant-scoped repositories. */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [APP_CONFIG],
      useFactory: async (config: ServiceConfig) => createDataSource(config, config.serviceName).initialize(),
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
})
export class PersistenceModule {}
