import { randomBytes } from 'node:crypto';
import { parseConfig, rawEnv } from '@switchyard/config';
import { startTcpProxy, viaProxy, type TcpProxy } from '@switchyard/testing';
import { RedisChannel } from './redis-channel';

interface Ping {
  n: number;
}
const asPing = (m: unknown): Ping | null => (typeof (m as Ping | null)?.n === 'number' ? (m as Ping) : null);

const until = async (done: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return done();
};

describe('RedisChannel (real Redis)', () => {
  const config = parseConfig({ ...rawEnv(), NODE_ENV: 'test', REDIS_PREFIX: `sytest-ch-${randomBytes(4).toString('hex')}` });
  let proxy: TcpProxy;
  let near: RedisChannel<Ping>;
  let far: RedisChannel<Ping>;

  beforeAll(async () => {
    const redis = new URL(config.redis.url);
    proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    // `far` reaches Redis through the proxy, so its connection can be cut.
    far = new RedisChannel({ redis: { ...config.redis, url: viaProxy(config.redis.url, proxy) } }, { name: 'test', connectionName: 'test-far', accept: asPing });
    near = new RedisChannel(config, { name: 'test', connectionName: 'test-near', accept: asPing });
    await Promise.all([near.start(), far.start()]);
  });

  afterAll(async () => {
    await Promise.all([near.close(), far.close()]);
    await proxy.close();
  });

  it('delivers a published message to every subscriber, the publisher included; drops what it does not accept', async () => {
    const seenNear: Ping[] = [];
    const seenFar: Ping[] = [];
    near.subscribe((p) => seenNear.push(p));
    far.subscribe((p) => seenFar.push(p));
    await near.publish({ n: 1 });
    await near.publish({ bogus: true } as unknown as Ping);
    await far.publish({ n: 2 });
    expect(await until(() => seenNear.length >= 2 && seenFar.length >= 2)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(seenNear).toEqual([{ n: 1 }, { n: 2 }]);
    expect(seenFar).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('resyncs once subscribed again after a lost connection (what was published meanwhile is missed)', async () => {
    const seen: number[] = [];
    let resyncs = 0;
    far.subscribe((p) => seen.push(p.n));
    far.onResync(() => {
      resyncs++;
      // Subscribed again by now: a message published from the resync handler on arrives.
      void near.publish({ n: 11 });
    });
    proxy.cut();
    await new Promise((r) => setTimeout(r, 300));
    await near.publish({ n: 10 }); // missed by `far`
    expect(resyncs).toBe(0);
    proxy.restore();
    expect(await until(() => resyncs === 1 && seen.includes(11))).toBe(true);
    expect(seen).not.toContain(10);
  }, 20_000);
});
