export * from './outbound/outbound-agent';
export * from './outbound/outbound-url';
