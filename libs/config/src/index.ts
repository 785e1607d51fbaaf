export * from './config';
export { DEV_ADMIN_TOKEN } from './config.schema';
export * from './config.module';
