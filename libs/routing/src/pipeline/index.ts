export * from './request-controls';
export * from './chat-request';
export * from './admission';
export * from './accounting';
export * from './gateway-client';
export * from './stream-assembler';
export * from './log-metrics';
export * from './request-logger';
