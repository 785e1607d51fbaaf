export * from './queues';
export * from './document-queues';
