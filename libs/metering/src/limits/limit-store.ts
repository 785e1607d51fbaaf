import type { Redis } from 'ioredis';
import { boundedCall, deferredWrites, defineScript, type DeferredWrites } from '@switchyard/persistence';
import type { LimitCounter } from './counters';

/**
 * Checks every counter of a call and, only if all have room, reserves in all of them: one round trip, atomic
 * (no other call interleaves, on any replica). KEYS: the counters; ARGV: now (ms), the call's member id, then
 * per counter kind, limit, amount, span, group. Counters of a group ('' = none) are alternatives: the first with
 * room is reserved, the others not (-1: had room, -2: full), and a group where none has room refuses nothing
 * (the caller decides). Returns {1, used after...} or {0, index, used, retry ms (sliding: the time until its
 * oldest request leaves the window; -1 otherwise)}.
 */
const RESERVE_LUA = `
local now = tonumber(ARGV[1])
local member = ARGV[2]
local used = {}
local chosen = {}
for i = 1, #KEYS do
  local a = 2 + (i - 1) * 5
  local kind, limit, amount, span, group = ARGV[a + 1], tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4]), ARGV[a + 5]
  local n
  if kind == 's' then
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - span)
    n = redis.call('ZCARD', KEYS[i])
  else
    n = tonumber(redis.call('GET', KEYS[i]) or '0')
  end
  if group ~= '' then
    if n + amount > limit then
      used[i] = -2
    elseif chosen[group] == nil then
      chosen[group] = i
      used[i] = n
    else
      used[i] = -1
    end
  elseif n + amount > limit then
    local retry = -1
    if kind == 's' then
      local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
      if oldest[2] then retry = tonumber(oldest[2]) + span - now end
    end
    return {0, i, n, retry}
  else
    used[i] = n
  end
end
local out = {1}
for i = 1, #KEYS do
  local a = 2 + (i - 1) * 5
  local kind, amount, span = ARGV[a + 1], tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  if used[i] < 0 then
    out[i + 1] = used[i]
  else
    if kind == 's' then
      redis.call('ZADD', KEYS[i], now, member)
      redis.call('PEXPIRE', KEYS[i], span)
    else
      redis.call('INCRBY', KEYS[i], amount)
      if span > 0 then redis.call('PEXPIRE', KEYS[i], span) end
    end
    out[i + 1] = used[i] + amount
  end
end
return out
`;

/** Adds each delta to its counter if the counter still exists (a settlement never revives an expired window). */
const ADJUST_LUA = `
for i = 1, #KEYS do
  local d = tonumber(ARGV[i])
  if d ~= 0 and redis.call('EXISTS', KEYS[i]) == 1 then redis.call('INCRBY', KEYS[i], d) end
end
return #KEYS
`;

interface LimitCommands {
  syLimitReserve(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  syLimitAdjust(numKeys: number, ...args: (string | number)[]): Promise<number>;
}

export type ReserveOutcome =
  | { ok: true; /** each counter's total after the reservation; for the alternatives of a group not reserved, -1 (had room) or -2 (full) */ used: number[] }
  | { ok: false; /** the counter over its limit */ index: number; used: number; /** sliding windows only */ retryAfterMs: number | null };

/** Redis could not be asked in time (down, reconnecting, or too slow): the caller applies the project's fail-open choice. */
export class LimitsUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('the limits store (Redis) is unreachable', cause === undefined ? undefined : { cause });
    this.name = 'LimitsUnavailableError';
  }
}

export interface LimitStoreOptions {
  /** How long a reservation may wait for Redis before the call is treated as "Redis down". */
  timeoutMs: number;
}

/** A counter's change after the call: settle to actual usage, release on failure. */
export interface CounterAdjustment {
  key: string;
  delta: number;
}

/** The counters of limits, budgets and quotas in Redis, shared by every replica: reserve, then adjust (settle or release). */
export class LimitStore {
  private readonly commands: LimitCommands;
  private readonly deferred: DeferredWrites;

  constructor(
    private readonly redis: Redis,
    private readonly options: LimitStoreOptions,
  ) {
    // Called without ioredis's Command and auto-pipeline (`RedisScript`): cheaper per call, the same round trip.
    defineScript(redis, 'syLimitReserve', { lua: RESERVE_LUA });
    defineScript(redis, 'syLimitAdjust', { lua: ADJUST_LUA });
    this.commands = redis as unknown as LimitCommands;
    this.deferred = deferredWrites(redis);
  }

  /**
   * Checks and reserves all `counters` for the call `member` (unique per call) in one round trip. Throws
   * LimitsUnavailableError when Redis is not connected or does not answer within the timeout; a reservation
   * that lands after the timeout is released again.
   */
  async reserve(counters: readonly LimitCounter[], nowMs: number, member: string): Promise<ReserveOutcome> {
    if (this.redis.status !== 'ready') throw new LimitsUnavailableError();
    // Settlements held back go out first, in the same write: applied before this reservation.
    this.deferred.flush();
    const args: (string | number)[] = [nowMs, member];
    for (const c of counters) args.push(c.kind, c.limit, c.amount, c.spanMs, c.group ?? '');
    const pending = this.commands.syLimitReserve(counters.length, ...counters.map((c) => c.key), ...args);
    const reply = await boundedCall(
      pending,
      this.options.timeoutMs,
      () => {
        // Too late for the call, which was answered already: give back what it reserved.
        pending.then((late) => (late[0] === 1 ? this.release(counters) : undefined)).catch(() => undefined);
        return new LimitsUnavailableError();
      },
      (err) => new LimitsUnavailableError(err),
    );
    if (reply[0] === 1) return { ok: true, used: reply.slice(1) };
    const [, index = 0, used = 0, retry = -1] = reply;
    return { ok: false, index: index - 1, used, retryAfterMs: retry >= 0 ? retry : null };
  }

  /**
   * Applies settlements or releases (best effort: a failure is the caller's to log). They are off the response path,
   * so they wait for this client's next reservation or cache look and go out in its write (`DeferredWrites`, at most
   * a few ms); the promise settles once Redis has applied them.
   */
  async adjust(adjustments: readonly CounterAdjustment[]): Promise<void> {
    const changed = adjustments.filter((a) => a.delta !== 0);
    if (!changed.length) return;
    const args: (string | number)[] = changed.map((a) => a.key);
    for (const a of changed) args.push(a.delta);
    await this.deferred.later(() => this.commands.syLimitAdjust(changed.length, ...args));
  }

  /** Gives back what a reservation took from counters that are released or settled (requests stay counted). */
  release(counters: readonly LimitCounter[]): Promise<void> {
    return this.adjust(counters.filter((c) => c.settle !== null && !c.group).map((c) => ({ key: c.key, delta: -c.amount })));
  }

  /** The current value of counters (0 for a missing one), for the admin API. */
  async read(keys: readonly string[]): Promise<number[]> {
    if (!keys.length) return [];
    this.deferred.flush();
    const values = await this.redis.mget(...keys);
    return values.map((v) => (v === null ? 0 : Number(v)));
  }

  /** The keys matching a pattern (the buckets of a split spend rule), for the admin API. */
  async scan(pattern: string, max = 1000): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0' && keys.length < max);
    return keys.slice(0, max);
  }
}
