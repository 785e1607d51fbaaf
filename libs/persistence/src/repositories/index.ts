export * from './organizations.repository';
export * from './projects.repository';
export * from './access-keys.repository';
export * from './connections.repository';
export * from './document-jobs.repository';
export * from './document-templates.repository';
export * from './webhook-deliveries.repository';
export * from './document-storage';
