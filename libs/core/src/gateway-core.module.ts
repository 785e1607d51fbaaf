import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuthModule, DEFAULT_AUTH_POLICY, GatewayAuthGuard } from '@switchyard/auth';
import { ConfigModule, type AppConfig, type ServiceName } from '@switchyard/config';
import { HealthModule, postgresReady, RAW_ROUTE_AUTHENTICATOR, READINESS_CHECKS, redisReady } from '@switchyard/http';
import { PersistenceModule, REDIS_CLIENT, RedisModule } from '@switchyard/persistence';
import { Metrics } from '@switchyard/telemetry';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { DatabaseUnavailableInterceptor } from './database-unavailable.interceptor';
import { KeyInfoController } from './key-info.controller';

export interface CoreOptions {
  config: AppConfig;
  service: ServiceName;
  metrics: Metrics;
  /** Which dependencies /readyz checks; the collector serves from Redis alone. */
  readiness?: ('postgres' | 'redis')[];
  http?: boolean;
  /** The auth policy of routes that declare none (default `key`). */
  defaultAuthPolicy?: 'key' | 'project-key' | 'project-key-or-admin';
}

/**
 * What every service process has: config, PostgreSQL, Redis, auth with cache events (its guard also
 * guarding raw routes), and with HTTP health, metrics and `GET /v1/auth/key`.
 */
@Module({})
export class GatewayCoreModule {
  static forRoot(opts: CoreOptions): DynamicModule {
    const readiness = opts.readiness ?? ['postgres', 'redis'];
    return {
      module: GatewayCoreModule,
      global: true,
      imports: [
        ConfigModule.forRoot(opts.config, opts.service),
        // A service whose readiness does not need PostgreSQL also starts without it.
        PersistenceModule.forRoot({ connect: readiness.includes('postgres') ? 'boot' : 'background' }),
        RedisModule,
        AuthModule,
        ...(opts.http === false ? [] : [HealthModule.forRoot(opts.metrics)]),
      ],
      controllers: opts.http === false ? [] : [KeyInfoController],
      providers: [
        { provide: DEFAULT_AUTH_POLICY, useValue: opts.defaultAuthPolicy ?? 'key' },
        { provide: Metrics, useValue: opts.metrics },
        { provide: RAW_ROUTE_AUTHENTICATOR, useExisting: GatewayAuthGuard },
        { provide: APP_INTERCEPTOR, useClass: DatabaseUnavailableInterceptor },
        {
          provide: READINESS_CHECKS,
          inject: [DataSource, REDIS_CLIENT],
          useFactory: (ds: DataSource, redis: Redis) =>
            readiness.map((r) => (r === 'postgres' ? postgresReady(ds) : redisReady(redis))),
        },
      ],
      exports: [READINESS_CHECKS, DEFAULT_AUTH_POLICY, RAW_ROUTE_AUTHENTICATOR, Metrics],
    };
  }
}
