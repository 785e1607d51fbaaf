export * from './test-database';
export * from './seed';
export * from './http';
export * from './processes';
export * from './mock-openai';
export * from './tcp-proxy';
export * from './documents-fixtures';
export * from './mock-providers';
