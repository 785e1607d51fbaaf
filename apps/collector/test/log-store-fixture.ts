import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { logStreamKeys, type RequestLogRecord } from '@switchyard/metering';
import { createRedis } from '@switchyard/persistence';
import { createTestEnvironment, freePort, startServiceProcess, type ServiceProcess, type TestEnvironment } from '@switchyard/testing';
import type { Redis } from 'ioredis';
import { Client } from 'pg';
import { startCollector } from '../src/bootstrap';

/**
 * The request-log specs' set-up: a router process (the admin API that seeds tenants), the collector in this process
 * (its log writer and APIs), Redis to append records to the log stream as the router does, and PostgreSQL to count
 * what the writer stored.
 */
export interface LogStoreFixture {
  env: TestEnvironment;
  router: ServiceProcess;
  collector: NestFastifyApplication;
  /** The collector's base URL (IPv4). */
  url: string;
  pg: Client;
  /** The project's rows in request_logs. */
  stored(projectId: string): Promise<number>;
  /**
   * Appends the records to the log stream, `batch` a message, and waits (30 s at most) until the writer has stored
   * them: each project's row count is then expected to have grown by its records.
   */
  append(records: RequestLogRecord[], batch?: number): Promise<void>;
  close(): Promise<void>;
}

/** `redisName` names the spec's Redis connection. What started is stopped again when a later step fails. */
export async function startLogStore(redisName: string): Promise<LogStoreFixture> {
  const started: Array<() => unknown> = [];
  const close = async () => {
    for (const stop of started.splice(0).reverse()) await stop();
  };
  try {
    const env = await createTestEnvironment();
    started.push(() => env.cleanup());
    const router = await startServiceProcess('router', env.env, await freePort());
    started.push(() => router.stop());
    const collector = await startCollector(env.config, 0);
    started.push(() => collector.close());
    const url = (await collector.getUrl()).replace('[::1]', '127.0.0.1');
    const redis: Redis = createRedis(env.config, redisName);
    started.push(() => redis.disconnect());
    const pg = new Client({ connectionString: env.databaseUrl });
    await pg.connect();
    started.push(() => pg.end());

    const stored = async (projectId: string) => Number((await pg.query(`SELECT count(*) AS n FROM request_logs WHERE project_id = $1`, [projectId])).rows[0].n);
    const append = async (records: RequestLogRecord[], batch = records.length) => {
      const expected = new Map<string, number>();
      for (const r of records) expected.set(r.projectId, (expected.get(r.projectId) ?? (await stored(r.projectId))) + 1);
      const want = [...expected];
      const stream = logStreamKeys(env.config.redis.prefix).stream;
      for (let i = 0; i < records.length; i += batch) await redis.xadd(stream, '*', 'd', JSON.stringify(records.slice(i, i + batch)));
      const counts = () => Promise.all(want.map(([projectId]) => stored(projectId)));
      const deadline = Date.now() + 30_000;
      while ((await counts()).some((n, i) => n < want[i]![1]) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await counts()).toEqual(want.map(([, n]) => n));
    };
    return { env, router, collector, url, pg, stored, append, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The records' ids in the listings' default order: newest first. */
export const newestFirst = (records: RequestLogRecord[]) => [...records].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map((r) => r.id);
