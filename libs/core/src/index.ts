export * from './gateway-core.module';
