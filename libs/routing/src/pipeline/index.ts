export * from './request-controls';
export * from './chat-request';
export * from './admission';
export * from './accounting';
export * from './gateway-client';
