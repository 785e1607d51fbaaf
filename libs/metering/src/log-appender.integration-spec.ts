import { createTestEnvironment, startTcpProxy, viaProxy, type TcpProxy, type TestEnvironment } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { LogAppender } from './log-appender';
import { logStreamKeys, type RequestLogRecord } from './request-log';
import { tokenUsageOf } from './token-usage';

const record = (id: string): RequestLogRecord => ({
  id,
  requestId: `req-${id}`,
  eventId: null,
  createdAt: new Date(0).toISOString(),
  organizationId: 'o',
  projectId: 'p',
  keyId: null,
  customerIdentifier: null,
  threadIdentifier: null,
  customIdentifier: null,
  documentJobId: null,
  path: '/v1/chat/completions',
  requestType: 'chat.completions',
  modelRequested: 'gpt-4o-mini',
  model: 'gpt-4o-mini',
  provider: 'openai',
  connectionId: 'c',
  statusCode: 200,
  success: true,
  cached: false,
  step: 0,
  attempts: [],
  tokens: tokenUsageOf(undefined),
  cost: null,
  customCost: false,
  durationMs: 1,
  ttfbMs: 1,
  stream: false,
  metadata: {},
  routing: null,
  errorCode: null,
  dlp: null,
  bodies: null,
});

/** Every record in the stream, in order. */
async function streamed(redis: Redis, stream: string): Promise<RequestLogRecord[]> {
  const entries = await redis.xrange(stream, '-', '+');
  return entries.flatMap(([, fields]) => {
    expect(fields[0]).toBe('d');
    return JSON.parse(fields[1]!) as RequestLogRecord[];
  });
}

/** How many writes `conn`'s socket has handed to the kernel since this was called (a corked batch: one). */
function socketWrites(conn: Redis): () => number {
  let count = 0;
  const socket = conn.stream as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  for (const name of ['_write', '_writev'] as const) {
    const original = socket[name].bind(socket);
    socket[name] = (...a: unknown[]) => {
      count += 1;
      original(...a);
    };
  }
  return () => count;
}

const until = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('LogAppender', () => {
  let env: TestEnvironment;
  let redis: Redis;
  let proxy: TcpProxy;
  let proxied: Redis;
  let stream: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    redis = new Redis(env.config.redis.url);
    const target = new URL(env.config.redis.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    proxied = new Redis(viaProxy(env.config.redis.url, proxy), { retryStrategy: () => 20 });
    stream = logStreamKeys(env.config.redis.prefix).stream;
  });

  afterAll(async () => {
    proxied?.disconnect();
    await proxy?.close();
    await redis?.quit();
    await env?.cleanup();
  });

  beforeEach(() => redis.del(stream));

  it('writes a turn’s first record at once and the others at the turn’s end, in one socket write, before what waits for them', async () => {
    const conn = new Redis(env.config.redis.url, { enableAutoPipelining: false });
    await conn.ping();
    const writes = socketWrites(conn);
    const appender = new LogAppender({ redis: conn, prefix: env.config.redis.prefix, maxBuffered: 1000 });
    const seen: number[] = [];
    appender.whenWritten(() => seen.push(-1)); // nothing appended yet: at once
    appender.append(record('r0'));
    expect(writes()).toBe(1);
    appender.whenWritten(() => seen.push(-2)); // r0 is written: at once
    for (let i = 1; i < 26; i += 1) appender.append(record(`r${i}`));
    appender.whenWritten(() => seen.push(writes()));
    expect(writes()).toBe(1);
    expect(seen).toEqual([-1, -2]);
    await new Promise((r) => setImmediate(r));
    // One write of the turn's other three XADDs (10 records per entry), before what waited for it ran.
    expect(seen).toEqual([-1, -2, 2]);
    expect(appender.buffered).toBe(0);
    expect((await streamed(redis, stream)).map((r) => r.id)).toEqual(Array.from({ length: 26 }, (_, i) => `r${i}`));
    expect(await redis.xlen(stream)).toBe(4);
    // A later turn's first record: written at once again.
    appender.append(record('later'));
    expect(writes()).toBe(3);
    await appender.close();
    expect(await redis.xlen(stream)).toBe(5);
    conn.disconnect();
  });

  it('holds records while Redis is unreachable, drops (and counts) what does not fit, sends the rest once it is back', async () => {
    await until(() => proxied.status === 'ready');
    const drops: number[] = [];
    const appender = new LogAppender({ redis: proxied, prefix: env.config.redis.prefix, maxBuffered: 5, recordsPerEntry: 2, onDrop: (n) => drops.push(n), onError: () => undefined });
    proxy.cut();
    await until(() => proxied.status !== 'ready');
    for (let i = 0; i < 8; i += 1) appender.append(record(`down${i}`));
    expect(appender.buffered).toBe(5);
    expect(appender.dropped).toBe(3);
    expect(drops).toEqual([1, 1, 1]);
    proxy.restore();
    await until(async () => (await streamed(redis, stream)).length === 5, 10_000);
    expect((await streamed(redis, stream)).map((r) => r.id)).toEqual(['down0', 'down1', 'down2', 'down3', 'down4']);
    expect(await redis.xlen(stream)).toBe(3); // held records go in batches of recordsPerEntry
    await appender.close();
  });

  it('writes again, after a reconnect, the records whose XADD was written but never answered', async () => {
    await until(() => proxied.status === 'ready');
    const appender = new LogAppender({ redis: proxied, prefix: env.config.redis.prefix, maxBuffered: 100, onError: () => undefined });
    proxy.blackhole(); // the writes leave the process, nothing reaches Redis, no reply comes
    for (let i = 0; i < 5; i += 1) appender.append(record(`lost${i}`));
    expect(appender.buffered).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(await redis.xlen(stream)).toBe(0);
    proxy.restore(); // drops the held connection: ioredis reconnects and resends what was not answered
    await until(async () => (await streamed(redis, stream)).length === 5, 10_000);
    expect((await streamed(redis, stream)).map((r) => r.id)).toEqual(['lost0', 'lost1', 'lost2', 'lost3', 'lost4']);
    await appender.close();
  });

  it('puts a record Redis refused back in the buffer and sends it once Redis takes it', async () => {
    const errors: unknown[] = [];
    const appender = new LogAppender({ redis, prefix: env.config.redis.prefix, maxBuffered: 100, onError: (err) => errors.push(err) });
    await redis.set(stream, 'not a stream'); // XADD answers WRONGTYPE
    appender.append(record('refused'));
    await until(() => appender.buffered === 1);
    expect(String(errors[0])).toMatch(/WRONGTYPE/);
    await redis.del(stream);
    await until(async () => (await redis.exists(stream)) === 1 && appender.buffered === 0, 5000);
    expect((await streamed(redis, stream)).map((r) => r.id)).toEqual(['refused']);
    await appender.close();
  });

  it('waits for what is in flight on close', async () => {
    const appender = new LogAppender({ redis, prefix: env.config.redis.prefix, maxBuffered: 100 });
    appender.append(record('last'));
    await appender.close();
    expect((await streamed(redis, stream)).map((r) => r.id)).toEqual(['last']);
  });
});
