export * from './types';
export * from './messages-request';
export * from './messages-response';
export * from './messages-stream';
