import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './config';

/** Injection token of the process's validated config. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export type ServiceName = 'router' | 'collector' | 'documents' | 'documents-worker' | 'cli';

export interface ServiceConfig extends AppConfig {
  serviceName: ServiceName;
}

/** Makes an already validated config injectable; apps receive it from main.ts (or a test) rather than reading env. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, serviceName: ServiceName): DynamicModule {
    const value: ServiceConfig = { ...config, serviceName };
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: value }], exports: [APP_CONFIG] };
  }
}
