import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

/** Readiness checks shared by the apps: each resolves when its dependency answers. */
export const redisReady = (redis: Redis) => ({
  name: 'redis',
  check: async () => {
    if ((await redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
  },
});

export const postgresReady = (ds: DataSource) => ({
  name: 'postgres',
  check: async () => {
    await ds.query('SELECT 1');
  },
});
