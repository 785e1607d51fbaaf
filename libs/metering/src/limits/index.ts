export * from './windows';
export * from './counters';
export * from './estimate';
export * from './limit-store';
