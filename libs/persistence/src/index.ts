export * from './entities';
export * from './repositories';
export * from './migrations';
export * from './data-source';
export * from './persistence.module';
export * from './migrate';
export * from './redis.module';
export * from './bounded-call';
