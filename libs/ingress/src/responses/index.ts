export * from './responses.types';
export * from './responses-request.schema';
export * from './responses-request';
export * from './responses-response';
export * from './responses-stream';
