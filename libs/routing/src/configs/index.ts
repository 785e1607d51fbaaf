export * from './safe-template';
export * from './json-logic';
export * from './config-targeting';
export * from './config-variant';
export * from './project-cache';
export * from './config-directory';
export * from './chat-preparation';
export * from './configs.module';
