import { createHash } from 'node:crypto';
import type { Command, Redis } from 'ioredis';

/** A script's reply: integers as numbers, bulk strings as (UTF-8) strings, null for nil, arrays of those. */
export type ScriptReply = number | string | null | ScriptReply[];

/**
 * ioredis's `defineCommand`, with a `RedisScript`: `redis[name](...keys, ...args)` calls the script (with
 * `numberOfKeys`; without it, the first argument is the number of keys) and resolves with its reply. A name the client
 * already has is kept (one definition per client, whoever defines it first).
 */
export function defineScript(redis: Redis, name: string, definition: { lua: string; numberOfKeys?: number }): void {
  if (name in redis) return;
  const script = new RedisScript(definition.lua);
  const fixed = definition.numberOfKeys;
  const call = (...argv: (string | number)[]) => script.call(redis, fixed ?? Number(argv.shift()), argv);
  Object.assign(redis, { [name]: call });
}

/**
 * A Lua script called on an ioredis client without ioredis's `Command`, `Script` and auto-pipeline (for each call: a
 * command object with copies of its arguments, six promises, a pipeline object per tick, per-argument RESP assembly):
 * the call is one object holding its RESP text and one promise, queued on the client as ioredis queues its own
 * commands (answered in order, sent again after a reconnect), as `LogAppender`'s `WriteThrough` is. The calls of one
 * tick leave in one socket write (`TickWrites`), before the client's auto-pipelined commands of that tick.
 * `EVALSHA` first; a `NOSCRIPT` reply (Redis restarted, or never ran it) sends the same call once more as `EVAL`,
 * which loads the script.
 */
export class RedisScript {
  private readonly sha: string;
  private readonly evalHead: string;
  private readonly shaHead: string;

  constructor(lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
    this.evalHead = `$4\r\nEVAL\r\n$${Buffer.byteLength(lua)}\r\n${lua}\r\n`;
    this.shaHead = `$7\r\nEVALSHA\r\n$40\r\n${this.sha}\r\n`;
  }

  /** Calls the script with `argv`: its `keys` first (the client's `keyPrefix` applied), then its arguments; the promise settles with its reply. */
  call(redis: Redis, keys: number, argv: readonly (string | number)[]): Promise<ScriptReply> {
    const prefix = redis.options.keyPrefix ?? '';
    let body = bulk(String(keys));
    for (let i = 0; i < argv.length; i += 1) body += bulk(i < keys ? prefix + argv[i] : String(argv[i]));
    const call = new ScriptCall(this, redis, `*${3 + argv.length}\r\n`, body, argv);
    tickWrites(redis).send(call);
    return call.promise;
  }

  /** @internal The command's head: `EVALSHA <sha>`, or `EVAL <script>` after a NOSCRIPT reply. */
  head(loaded: boolean): string {
    return loaded ? this.shaHead : this.evalHead;
  }
}

const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

type RawReply = number | Buffer | null | RawReply[];

/** The reply with its bulk strings decoded (an array in place). */
function decoded(reply: RawReply): ScriptReply {
  if (Buffer.isBuffer(reply)) return reply.toString();
  if (!Array.isArray(reply)) return reply;
  for (let i = 0; i < reply.length; i += 1) (reply as ScriptReply[])[i] = decoded(reply[i]!);
  return reply as ScriptReply[];
}

/**
 * One call as ioredis's command queue holds it (in place of a `Command`): ioredis calls `toWritable` to write it (again
 * after a reconnect, if no reply came), and `resolve` or `reject` with its reply. What ioredis reads of a command
 * besides: `name`, `args` (an error's `command`) and `isTraced` (true: no `ioredis:command` diagnostics-channel span).
 */
class ScriptCall {
  name = 'evalsha';
  readonly isTraced = true;
  readonly promise: Promise<ScriptReply>;
  private settle!: (reply: ScriptReply) => void;
  private fail!: (err: Error) => void;

  constructor(
    private readonly script: RedisScript,
    private readonly redis: Redis,
    private readonly count: string,
    private readonly body: string,
    /** The keys then the arguments (what ioredis names in an error). */
    readonly args: readonly (string | number)[],
  ) {
    this.promise = new Promise<ScriptReply>((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
  }

  toWritable(): string {
    return this.count + this.script.head(this.name === 'evalsha') + this.body;
  }

  /** The RESP parser's reply: bulk strings come as Buffers. */
  resolve(reply: RawReply): void {
    this.settle(decoded(reply));
  }

  reject(err: Error): void {
    if (this.name === 'evalsha' && err.message.startsWith('NOSCRIPT')) {
      this.name = 'eval';
      this.redis.sendCommand(this as unknown as Command);
      return;
    }
    this.fail(err);
  }
}

/**
 * The script calls of one tick on one client, written to its socket in one write on the next `process.nextTick`
 * (so a call's commands sent together, such as a reservation and a cache look, cost one system call and one round
 * trip). They are handed to ioredis as a pipeline hands its commands (a stream whose writes are collected), so
 * ioredis's queue and the socket stay in the same order; a call ioredis writes later (after a reconnect) goes at once.
 */
class TickWrites {
  private calls: ScriptCall[] = [];
  private collected: string | null = null;
  private readonly stream: { isPipeline: true; destination: { redis: Redis }; write: (text: string) => void };

  constructor(private readonly redis: Redis) {
    this.stream = { isPipeline: true, destination: { redis }, write: (text) => this.write(text) };
  }

  send(call: ScriptCall): void {
    if (!this.calls.length) process.nextTick(this.flush);
    this.calls.push(call);
  }

  private readonly flush = () => {
    const calls = this.calls;
    this.calls = [];
    this.collected = '';
    for (const call of calls) this.redis.sendCommand(call as unknown as Command, this.stream as never);
    const text = this.collected;
    this.collected = null;
    if (text) this.redis.stream.write(text);
  };

  private write(text: string): void {
    if (this.collected === null) this.redis.stream.write(text);
    else this.collected += text;
  }
}

const ofClient = new WeakMap<Redis, TickWrites>();

function tickWrites(redis: Redis): TickWrites {
  let writes = ofClient.get(redis);
  if (!writes) ofClient.set(redis, (writes = new TickWrites(redis)));
  return writes;
}
