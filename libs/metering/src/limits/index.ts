export * from './windows';
export * from './counters';
export * from './estimate';
export * from './count-tokens';
export * from './token-count';
export * from './limit-store';
