export * from './logger';
export * from './metrics';
export * from './request-id';
export * from './otel';
export * from './boot';
export { run } from './run';
