import type { FactoryProvider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type DocumentStorageConfig, type ServiceConfig } from '@switchyard/config';
import { DOCUMENT_STORAGE, PostgresDocumentStorage, type DocumentStorage } from './document-storage';
import { S3DocumentStorage } from './s3-document-storage';

/** The configured storage; an S3 one is checked against its bucket first, so a wrong setting stops start-up with its name. */
export async function createDocumentStorage(ds: DataSource, config: DocumentStorageConfig): Promise<DocumentStorage> {
  if (config.kind === 'postgres') return new PostgresDocumentStorage(ds);
  const storage = new S3DocumentStorage(ds, config);
  try {
    await storage.verify();
  } catch (err) {
    storage.onApplicationShutdown();
    throw err;
  }
  return storage;
}

/** Binds DOCUMENT_STORAGE to the storage DOCUMENTS_STORAGE selects (docs/documents.md#storage). */
export const documentStorageProvider: FactoryProvider<DocumentStorage> = {
  provide: DOCUMENT_STORAGE,
  inject: [DataSource, APP_CONFIG],
  useFactory: (ds: DataSource, config: ServiceConfig) => createDocumentStorage(ds, config.documents.storage),
};
