export * from './redis.module';
export * from './queues';
export * from './document-queues';
