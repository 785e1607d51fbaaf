export * from './token-usage';
export * from './model-price';
export * from './cost-of';
export * from './usage-record';
export * from './genai-prices';
export * from './price-catalog';
export * from './request-log';
