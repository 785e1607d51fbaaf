import { LogAppender, logStreamKeys, type RequestLogRecord } from '@switchyard/metering';
import { createDataSource, createRedis, RequestLogsRepository } from '@switchyard/persistence';
import { createTestEnvironment, insertProjectRow, requestLogFixture, startTcpProxy, viaProxy, type TcpProxy, type TestEnvironment } from '@switchyard/testing';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { LogWriter } from './log-writer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LogWriter', () => {
  let env: TestEnvironment;
  let ds: DataSource;
  let redis: Redis;
  let proxy: TcpProxy;
  let proxied: DataSource;
  let writer: LogWriter | undefined;
  let keys: ReturnType<typeof logStreamKeys>;

  beforeAll(async () => {
    env = await createTestEnvironment({ COLLECTOR_CLAIM_IDLE_MS: '1000' });
    ds = await createDataSource(env.config, 'log-writer-test').initialize();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(env.databaseUrl).port || 5432) });
    proxied = await createDataSource({ ...env.config, database: { ...env.config.database, url: viaProxy(env.databaseUrl, proxy) } }, 'log-writer-proxied').initialize();
    redis = createRedis(env.config, 'log-writer-test');
    keys = logStreamKeys(env.config.redis.prefix);
  });

  afterEach(async () => {
    await writer?.onApplicationShutdown();
    writer = undefined;
  });

  afterAll(async () => {
    await proxied?.destroy();
    await proxy?.close();
    await ds?.destroy();
    redis?.disconnect();
    await env?.cleanup();
  });

  const startWriter = () => {
    writer = new LogWriter({ ...env.config, serviceName: 'collector' }, new RequestLogsRepository(proxied));
    writer.start();
  };
  /** Appends records as the router does: one entry per batch, field `d`. */
  const append = (records: RequestLogRecord[]) => redis.xadd(keys.stream, '*', 'd', JSON.stringify(records));
  const storedIds = async (ids: string[]) =>
    ((await ds.query(`SELECT id::text FROM request_logs WHERE id = ANY($1::uuid[]) ORDER BY id`, [ids])) as { id: string }[]).map((r) => r.id);
  const waitForStored = async (ids: string[], timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while ((await storedIds(ids)).length < ids.length && Date.now() < deadline) await sleep(100);
    await sleep(300); // and nothing more arrives
    return storedIds(ids);
  };
  const batches = (project: { id: string; org: string }, n: number, size: number): RequestLogRecord[][] =>
    Array.from({ length: n }, () => Array.from({ length: size }, () => requestLogFixture(project)));

  it('stores every record of the stream once, drops those of deleted projects, and acknowledges everything', async () => {
    const a = await insertProjectRow(ds);
    const b = await insertProjectRow(ds);
    const gone = requestLogFixture({ id: '00000000-0000-7000-8000-000000000000', org: a.org });
    const records = [...batches(a, 5, 20), ...batches(b, 3, 10)];
    records[0]!.push(gone);
    startWriter();
    for (const batch of records) await append(batch);
    const ids = records.flat().filter((r) => r !== gone).map((r) => r.id);
    expect(await waitForStored(ids)).toEqual([...ids].sort());
    expect(await storedIds([gone.id])).toEqual([]);
    expect(await redis.xlen(keys.stream)).toBe(0);
    expect(await redis.xpending(keys.stream, keys.group)).toEqual([0, null, null, null]);
  });

  it('loses and duplicates nothing across a PostgreSQL outage', async () => {
    const project = await insertProjectRow(ds);
    const records = batches(project, 10, 25);
    startWriter();
    await append(records[0]!);
    expect(await waitForStored(records[0]!.map((r) => r.id))).toHaveLength(25);
    proxy.cut();
    for (const batch of records.slice(1)) await append(batch);
    await sleep(2000); // the writer has read them and is failing to write
    proxy.restore();
    const ids = records.flat().map((r) => r.id);
    expect(await waitForStored(ids)).toEqual([...ids].sort());
    expect(Number((await ds.query(`SELECT count(*) AS n FROM request_logs WHERE project_id = $1`, [project.id]))[0].n)).toBe(250);
  }, 40_000);

  it('claims the entries a dead writer left pending, and stores a redelivered batch once', async () => {
    const project = await insertProjectRow(ds);
    const records = batches(project, 4, 10);
    await redis.xgroup('CREATE', keys.stream, keys.group, '0', 'MKSTREAM').catch(() => undefined);
    for (const batch of records) await append(batch);
    await append(records[1]!); // the router retried a batch
    // A writer that read everything, stored the first two batches, and died before acknowledging.
    await redis.xreadgroup('GROUP', keys.group, 'dead-writer', 'COUNT', 100, 'STREAMS', keys.stream, '>');
    await new RequestLogsRepository(ds).insertJson(JSON.stringify([...records[0]!, ...records[1]!]));
    startWriter();
    const ids = records.flat().map((r) => r.id);
    expect(await waitForStored(ids)).toEqual([...ids].sort());
    expect(Number((await ds.query(`SELECT count(*) AS n FROM request_logs WHERE project_id = $1`, [project.id]))[0].n)).toBe(40);
    expect(await redis.xlen(keys.stream)).toBe(0);
  }, 30_000);

  it('stores a record whose body and metadata hold a lone surrogate or a NUL character (jsonb refuses both), as U+FFFD', async () => {
    const project = await insertProjectRow(ds);
    const odd = requestLogFixture(project, { metadata: { 'team\udc00': 'a\ud800b', nul: 'x\u0000y' } });
    odd.bodies = { ...odd.bodies!, request: '{"content":"\ud83d"}', response: 'ok\u0000' };
    const neighbour = requestLogFixture(project);
    const connection = createRedis(env.config, 'log-writer-appender');
    const appender = new LogAppender({ redis: connection, prefix: env.config.redis.prefix, maxBuffered: 100 });
    try {
      await new Promise((r) => connection.once('ready', r));
      appender.append(odd);
      appender.append(neighbour);
      await appender.close();
      startWriter();
      expect(await waitForStored([odd.id, neighbour.id])).toEqual([odd.id, neighbour.id].sort());
      const [row] = (await ds.query(`SELECT l.metadata, b.request, b.response FROM request_logs l JOIN request_log_bodies b ON b.log_id = l.id WHERE l.id = $1`, [odd.id])) as [
        { metadata: unknown; request: string; response: string },
      ];
      expect(row).toEqual({ metadata: { 'team\ufffd': 'a\ufffdb', nul: 'x\ufffdy' }, request: '{"content":"\ufffd"}', response: 'ok\ufffd' });
      expect(await redis.xlen(keys.deadLetter)).toBe(0);
    } finally {
      connection.disconnect();
    }
  }, 30_000);
});
