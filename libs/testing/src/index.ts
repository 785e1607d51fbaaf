export * from './test-database';
export * from './seed';
export * from './http';
export * from './processes';
export * from './mock-providers';
