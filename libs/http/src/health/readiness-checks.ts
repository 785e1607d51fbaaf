import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

/** One dependency /readyz checks: `check` resolves when it answers. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** The DI token of the app's readiness checks (a ReadinessCheck[]). */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** Readiness checks shared by the apps. */
export const redisReady = (redis: Redis): ReadinessCheck => ({
  name: 'redis',
  check: async () => {
    if ((await redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
  },
});

export const postgresReady = (ds: DataSource): ReadinessCheck => ({
  name: 'postgres',
  check: async () => {
    await ds.query('SELECT 1');
  },
});
