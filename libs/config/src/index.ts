export * from './config';
export { DEV_ADMIN_TOKEN, envSchema } from './config.schema';
export * from './config.module';
