export * from './catalog/catalog';
export * from './resolve-model';
export * from './execution-policy';
export * from './upstream-failure';
export * from './executor';
export * from './image-fetcher';
export * from './gateway-client';
export * from './routing.module';
