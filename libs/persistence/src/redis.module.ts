import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig, type ServiceConfig } from '@switchyard/config';
import { deferredWrites } from './deferred-writes';

/** Injection token of the process's shared ioredis client (commands only; no blocking calls, no subscriptions). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** A new ioredis connection to REDIS_URL that retries forever with a capped backoff. */
export function createRedis(config: Pick<AppConfig, 'redis'>, name: string, extra: Record<string, unknown> = {}): Redis {
  return new Redis(config.redis.url, {
    connectionName: name,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    enableAutoPipelining: true,
    ...extra,
  });
}

class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    // Settlements and cache fills still held back go out (and are answered) before the client quits.
    await deferredWrites(this.redis).drain();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Global()
@Module({
  providers: [
    { provide: REDIS_CLIENT, inject: [APP_CONFIG], useFactory: (c: ServiceConfig) => createRedis(c, `switchyard-${c.serviceName}`) },
    RedisCloser,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}
