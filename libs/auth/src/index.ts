export * from './access-key';
export * from './secret-box';
export * from './events';
export * from './ttl-cache';
export * from './tenant-directory';
export * from './admin-scope';
export * from './auth.guard';
export * from './auth.module';
