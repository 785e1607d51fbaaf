export * from './queues';
export * from './document-queues';
export * from './pubsub/redis-channel';
export * from './ingest-stream';
