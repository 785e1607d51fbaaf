export * from './errors';
export * from './ids';
export * from './provider-ids';
export * from './principal';
export * from './project-settings';
export * from './zod-errors';
export * from './connection-credentials';
export * from './chat-request.schema';
