export * from './organizations.repository';
export * from './projects.repository';
export * from './access-keys.repository';
export * from './connections.repository';
export * from './spans.repository';
export * from './runs.repository';
