import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RequestLogRecord } from '@switchyard/metering';
import { createTestEnvironment, httpJson, MockOpenAIServer, seedTenant, type JsonResponse, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import { Redis } from 'ioredis';
import OpenAI, { type ClientOptions } from 'openai';
import { startRouter } from '../src/bootstrap';
import { logRecordOf, logRecords, logRecordsWithId } from './log-records';

/** A connection added to the fixture tenant's organization through the admin API (`name` defaults to the slug). */
export interface FixtureConnection {
  provider: string;
  slug: string;
  name?: string;
  credentials: Record<string, unknown>;
  base_url: string;
  is_default?: boolean;
}

/**
 * What most router e2e specs start from: a test environment of their own, the router on it, an OpenAI mock, a
 * tenant seeded with an `openai-main` connection to that mock, the official SDK with the tenant's project key,
 * and a Redis client to read what the router wrote. A spec adds its own connections, settings and mocks.
 */
export interface RouterFixture {
  env: TestEnvironment;
  router: NestFastifyApplication;
  url: string;
  /** The mock behind the tenant's `openai-main` connection. */
  upstream: MockOpenAIServer;
  tenant: SeededTenant;
  client: OpenAI;
  redis: Redis;
  /** PATCHes the tenant's default project settings. */
  settings(body: Record<string, unknown>): Promise<JsonResponse>;
  /** Adds a connection to the tenant's organization; expects it created. */
  connect(connection: FixtureConnection): Promise<void>;
  /** Every request log record on the log stream so far. */
  records(): Promise<RequestLogRecord[]>;
  /** The records with this log id, once one has arrived (none after 5 s). */
  recordsWithId(id: string): Promise<RequestLogRecord[]>;
  /** The one record of this log id. */
  recordOf(id: string | null): Promise<RequestLogRecord>;
  /** Closes the router, the mock and the Redis client and drops the environment. */
  close(): Promise<void>;
}

export interface RouterFixtureOptions {
  /** The `api_key` of the `openai-main` connection (each spec its own, to tell them apart in failures). */
  apiKey: string;
  /** Extra options of the SDK client (e.g. default headers). */
  client?: Partial<ClientOptions>;
}

/** Starts a {@link RouterFixture}; if any step fails, what was started is closed before the error is thrown. */
export async function startRouterFixture(options: RouterFixtureOptions): Promise<RouterFixture> {
  const started: Partial<RouterFixture> = {};
  const close = async () => {
    await started.router?.close();
    await started.upstream?.close();
    await started.redis?.quit();
    await started.env?.cleanup();
  };
  try {
    const env = (started.env = await createTestEnvironment());
    const router = (started.router = await startRouter(env.config, 0));
    const url = await router.getUrl();
    const upstream = (started.upstream = await MockOpenAIServer.start());
    const redis = (started.redis = new Redis(env.config.redis.url));
    const admin = env.config.admin.token;
    const prefix = env.config.redis.prefix;
    const tenant = await seedTenant(url, admin, { provider: 'openai', slug: 'openai-main', credentials: { api_key: options.apiKey }, base_url: upstream.url });
    return {
      env,
      router,
      url,
      upstream,
      tenant,
      redis,
      client: new OpenAI({ apiKey: tenant.projectKey, baseURL: `${url}/v1`, maxRetries: 0, ...options.client }),
      settings: (body) => httpJson(`${url}/v1/admin/organizations/${tenant.organizationId}/projects/default`, { method: 'PATCH', token: admin, body }),
      connect: async (connection) => {
        const res = await httpJson(`${url}/v1/admin/connections`, { token: admin, body: { organization_id: tenant.organizationId, name: connection.slug, ...connection } });
        expect(res.status).toBe(201);
      },
      records: () => logRecords(redis, prefix),
      recordsWithId: (id) => logRecordsWithId(redis, prefix, id),
      recordOf: (id) => logRecordOf(redis, prefix, id),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
