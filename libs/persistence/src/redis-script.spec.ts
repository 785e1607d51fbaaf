import type { Redis } from 'ioredis';
import { defineScript, RedisScript } from './redis-script';

/** What `RedisScript` uses of an ioredis client: its queue (`sendCommand`, writing through a pipeline-like stream) and socket. */
function fakeRedis(keyPrefix?: string) {
  const writes: string[] = [];
  const queue: { resolve(reply: unknown): void; reject(err: Error): void; toWritable(): string }[] = [];
  const socket = { write: (text: string) => writes.push(text) };
  const redis = {
    options: { keyPrefix },
    stream: socket,
    sendCommand(command: (typeof queue)[number], stream?: { write(text: string): void }) {
      (stream ?? socket).write(command.toWritable());
      queue.push(command);
    },
  };
  /** Redis answers the oldest command. */
  const answer = (reply: unknown) => queue.shift()!.resolve(reply);
  const refuse = (message: string) => queue.shift()!.reject(new Error(message));
  return { redis: redis as unknown as Redis, writes, queue, answer, refuse };
}

const resp = (...parts: string[]) => `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;

describe('RedisScript', () => {
  const lua = "return redis.call('GET', KEYS[1])";
  const sha = 'd3c21d0c2b9ca22f82737626a27bcaf5d288f99f';

  it('sends the calls of one tick in one socket write, as EVALSHA with the keys prefixed, and decodes the replies', async () => {
    const { redis, writes, answer } = fakeRedis('app:');
    const script = new RedisScript(lua);
    const a = script.call(redis, 1, ['k1', 'é', 7]);
    const b = script.call(redis, 2, ['k2', 'k3']);
    expect(writes).toEqual([]);
    await new Promise((r) => process.nextTick(r));
    expect(writes).toEqual([resp('EVALSHA', sha, '1', 'app:k1', 'é', '7') + resp('EVALSHA', sha, '2', 'app:k2', 'app:k3')]);
    answer([1, Buffer.from('entré'), null]);
    answer(3);
    await expect(a).resolves.toEqual([1, 'entré', null]);
    await expect(b).resolves.toBe(3);
  });

  it('sends a call again as EVAL (loading the script) when Redis answers NOSCRIPT; other errors fail the call', async () => {
    const { redis, writes, answer, refuse } = fakeRedis();
    const script = new RedisScript(lua);
    const call = script.call(redis, 1, ['k']);
    await new Promise((r) => process.nextTick(r));
    refuse('NOSCRIPT No matching script. Please use EVAL.');
    expect(writes[1]).toBe(resp('EVAL', lua, '1', 'k'));
    answer(Buffer.from('v'));
    await expect(call).resolves.toBe('v');

    const failed = script.call(redis, 1, ['k']);
    await new Promise((r) => process.nextTick(r));
    refuse('ERR wrong number of arguments');
    await expect(failed).rejects.toThrow('wrong number');
  });

  it('defineScript names the script on the client once, with a fixed or a leading key count', async () => {
    const { redis, writes, answer } = fakeRedis();
    defineScript(redis, 'syTest', { lua, numberOfKeys: 1 });
    defineScript(redis, 'syTest', { lua: 'return 2' });
    defineScript(redis, 'syVar', { lua });
    const named = redis as unknown as Record<'syTest' | 'syVar', (...a: unknown[]) => Promise<unknown>>;
    const fixed = named.syTest('k', 'a');
    const counted = named.syVar(0, 'a');
    await new Promise((r) => process.nextTick(r));
    expect(writes).toEqual([resp('EVALSHA', sha, '1', 'k', 'a') + resp('EVALSHA', sha, '0', 'a')]);
    answer(1);
    answer(2);
    await expect(Promise.all([fixed, counted])).resolves.toEqual([1, 2]);
  });
});
