import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { parseConfig, rawEnv, type AppConfig } from '@switchyard/config';

export const TEMPLATE_DB_ENV = 'SWITCHYARD_TEST_TEMPLATE_DB';
/** Test database names: `<prefix><unix seconds>_<random>`, so a sweep can tell abandoned ones by age. */
export const TEMPLATE_PREFIX = 'sy_tpl_';
export const CLONE_PREFIX = 'sy_tc_';

export async function adminClient(databaseUrl: string): Promise<Client> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

export interface TestEnvironment {
  /** A config whose database is this suite's own clone and whose Redis keys live under its own prefix. */
  config: AppConfig;
  /** The raw environment behind `config`, for child processes. */
  env: Record<string, string>;
  databaseUrl: string;
  cleanup: () => Promise<void>;
}

/**
 * A fresh database (cloned from the migrated template) and a fresh REDIS_PREFIX for one suite,
 * so suites run in parallel against the shared servers without seeing each other.
 */
export async function createTestEnvironment(overrides: Record<string, string> = {}): Promise<TestEnvironment> {
  const env0 = rawEnv();
  const template = env0[TEMPLATE_DB_ENV];
  if (!template) throw new Error(`${TEMPLATE_DB_ENV} is not set: run integration tests through jest (global setup)`);
  const base = parseConfig({ ...env0, NODE_ENV: 'test' });
  const id = randomBytes(5).toString('hex');
  const dbName = `${CLONE_PREFIX}${Math.floor(Date.now() / 1000)}_${id}`;
  const client = await adminClient(base.database.url);
  try {
    await client.query(`CREATE DATABASE "${dbName}" TEMPLATE "${template}"`);
  } finally {
    await client.end();
  }
  const url = new URL(base.database.url);
  url.pathname = `/${dbName}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: url.toString(),
    REDIS_URL: base.redis.url,
    REDIS_PREFIX: `sytest-${id}`,
    GATEWAY_ADMIN_TOKEN: `test-admin-${randomBytes(12).toString('hex')}`,
    GATEWAY_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    ...overrides,
  };
  const config = parseConfig(env);
  return {
    config,
    env,
    databaseUrl: url.toString(),
    cleanup: async () => {
      const admin = await adminClient(base.database.url);
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
      await deleteRedisPrefix(base.redis.url, env['REDIS_PREFIX'] as string);
    },
  };
}

async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
