import type { Redis } from 'ioredis';
import type { CircuitBreakerSettings } from '@switchyard/types';

/** A target's key: its connection and the provider's model id there. */
export const targetKey = (connectionId: string, upstreamModel: string) => `${connectionId}:${upstreamModel}`;

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What the replicas tell each other on the `target-health` channel. */
export type HealthMessage =
  /** Attempt samples of one replica: `[target, ok (1|0), ms to the first byte]`. */
  | { t: 's'; from: string; samples: [string, 0 | 1, number][] }
  /** A breaker changed state (`until`: when an open breaker may let a probe through, ms since the epoch). */
  | { t: 'b'; key: string; state: 'open' | 'closed'; until: number };

export const asHealthMessage = (m: unknown): HealthMessage | null => {
  if (typeof m !== 'object' || m === null) return null;
  const t = (m as { t?: unknown }).t;
  if (t === 's' && Array.isArray((m as { samples?: unknown }).samples)) return m as HealthMessage;
  if (t === 'b' && typeof (m as { key?: unknown }).key === 'string') return m as HealthMessage;
  return null;
};

/** The channel the health travels on (a RedisChannel of `libs/queue`, or a fake in unit tests). */
export interface HealthChannel {
  publish(message: HealthMessage): Promise<void>;
  subscribe(handler: (message: HealthMessage) => void): void;
  onResync(handler: () => void): void;
}

/** One target in `GET /v1/admin/health/targets`. */
export interface TargetHealthView {
  /** `<connection id>:<model>`. */
  target: string;
  connection_id: string;
  model: string;
  state: BreakerState;
  /** When an open breaker lets a probe through (set while it is open or probing). */
  open_until: string | null;
  ttfb_ms: number | null;
  error_rate: number | null;
  samples: number;
}

interface Stats {
  /** Null until an attempt succeeded (a failure's time says nothing about the target's speed). */
  ttfbMs: number | null;
  errorRate: number;
  samples: number;
}

interface Breaker {
  state: BreakerState | 'probing';
  until: number;
  /** A claim of the probe is in flight (only one replica gets it). */
  claiming: boolean;
}

interface Pending {
  key: string;
  ok: boolean;
  ttfbMs: number;
  breaker: CircuitBreakerSettings | null;
  probe: boolean;
}

/** Weight of a new sample in the moving averages. */
const ALPHA = 0.2;
/** Reports are sent (published, and counted by the breakers in Redis) at most this often. */
const FLUSH_MS = 50;
/** How long a replica's claim of an open breaker's probe holds the others back. */
const PROBE_CLAIM_MS = 10_000;

/**
 * The health of each target as this replica sees it, in memory: a moving average (EWMA) of the time to the first
 * byte and of the error rate (for `least-latency`), and the state of its circuit breaker. Nothing here touches Redis
 * on the request path: attempts are reported into a queue, flushed off the path (one publish of the samples on the
 * `target-health` channel, whose subscribers fold them into their own averages, and one script per breaker-enabled
 * sample, which counts failures in Redis and answers a transition, then published to every replica).
 * An open breaker's probe is claimed in Redis in the background (SET NX): one replica lets one request through.
 */
export class TargetHealth {
  private readonly stats = new Map<string, Stats>();
  private readonly breakers = new Map<string, Breaker>();
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly script: string;

  constructor(
    private readonly deps: {
      channel: HealthChannel | null;
      /** The shared Redis client (breaker counters, probe claims); null: breakers are local to this process (tests). */
      redis: Redis | null;
      prefix: string;
      replicaId: string;
      now?: () => number;
      onError?: (err: unknown) => void;
    },
  ) {
    this.script = BREAKER_SCRIPT;
    deps.channel?.subscribe((m) => this.receive(m));
    deps.channel?.onResync(() => void this.load().catch((err: unknown) => deps.onError?.(err)));
  }

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** `least-latency`'s score of a target, lower is better: the average time to the first byte, inflated by errors. */
  score(key: string): number | undefined {
    const s = this.stats.get(key);
    if (!s) return undefined;
    // Never answered yet: worse than any target that has.
    if (s.ttfbMs === null) return Number.MAX_SAFE_INTEGER;
    return s.ttfbMs / Math.max(0.05, 1 - s.errorRate);
  }

  /** The breaker's state from memory: `open` (skip it), `half_open` (this request is the probe) or `closed`. */
  admit(key: string): BreakerState {
    if (this.breakers.size === 0) return 'closed';
    const b = this.breakers.get(key);
    if (!b) return 'closed';
    if (this.now >= b.until && !b.claiming) this.claimProbe(key, b);
    if (b.state === 'half_open') {
      // The probe's outcome closes or reopens it; a probe that never reports (its client left) is claimed again later.
      b.state = 'probing';
      b.until = this.now + PROBE_CLAIM_MS;
      return 'half_open';
    }
    return 'open';
  }

  /** One attempt's outcome (off the request path: queued, flushed within FLUSH_MS). */
  report(key: string, ok: boolean, ttfbMs: number, breaker: CircuitBreakerSettings | null, probe: boolean): void {
    this.fold(key, ok, ttfbMs);
    this.pending.push({ key, ok, ttfbMs, breaker, probe });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** What `GET /v1/admin/health/targets` shows. */
  snapshot(): TargetHealthView[] {
    const keys = new Set([...this.stats.keys(), ...this.breakers.keys()]);
    return [...keys].sort().map((key) => {
      const s = this.stats.get(key);
      const b = this.breakers.get(key);
      const state: BreakerState = !b ? 'closed' : b.state === 'open' && this.now < b.until ? 'open' : 'half_open';
      const colon = key.indexOf(':');
      return {
        target: key,
        connection_id: key.slice(0, colon),
        model: key.slice(colon + 1),
        state,
        open_until: b ? new Date(b.until).toISOString() : null,
        ttfb_ms: s?.ttfbMs == null ? null : Math.round(s.ttfbMs * 10) / 10,
        error_rate: s ? Math.round(s.errorRate * 1000) / 1000 : null,
        samples: s?.samples ?? 0,
      };
    });
  }

  /** Reads the open breakers from Redis (at start, and after a missed event). */
  async load(): Promise<void> {
    const redis = this.deps.redis;
    if (!redis) return;
    const head = `${this.deps.prefix}:cb:{`;
    const match = `${head}*`;
    let cursor = '0';
    const found = new Map<string, Breaker>();
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
      cursor = next;
      for (const k of keys) {
        const [state, until] = await redis.hmget(k, 'state', 'until');
        if (state === 'open') found.set(k.slice(head.length, -1), { state: 'open', until: Number(until), claiming: false });
      }
    } while (cursor !== '0');
    this.breakers.clear();
    for (const [k, b] of found) this.breakers.set(k, b);
  }

  /** Sends what is queued now (the timer's job; tests and shutdown call it). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    if (!batch.length) return;
    this.pending = [];
    const { channel, redis, replicaId } = this.deps;
    const jobs: Promise<unknown>[] = [];
    if (channel) jobs.push(channel.publish({ t: 's', from: replicaId, samples: batch.map((p) => [p.key, p.ok ? 1 : 0, Math.round(p.ttfbMs)]) }));
    for (const p of batch) {
      if (!p.breaker) continue;
      jobs.push(redis ? this.count(redis, p, p.breaker) : Promise.resolve(this.countLocally(p, p.breaker)));
    }
    const results = await Promise.allSettled(jobs);
    for (const r of results) if (r.status === 'rejected') this.deps.onError?.(r.reason);
  }

  close(): Promise<void> {
    return this.flush();
  }

  private async count(redis: Redis, p: Pending, c: CircuitBreakerSettings): Promise<void> {
    const [state, until] = (await redis.eval(
      this.script,
      1,
      `${this.deps.prefix}:cb:{${p.key}}`,
      p.ok ? 1 : 0,
      this.now,
      c.window_seconds * 1000,
      c.failure_threshold,
      c.min_requests,
      c.error_ratio,
      c.open_seconds * 1000,
      p.probe ? 1 : 0,
    )) as [string, number];
    if (state) await this.transition({ t: 'b', key: p.key, state: state as 'open' | 'closed', until: Number(until) });
  }

  /** Without Redis (unit tests): the same rule over one process's counts. */
  private readonly local = new Map<string, { since: number; fail: number; total: number }>();
  private countLocally(p: Pending, c: CircuitBreakerSettings): void {
    const b = this.breakers.get(p.key);
    if (b || p.probe) {
      if (p.probe) void this.transition(p.ok ? { t: 'b', key: p.key, state: 'closed', until: 0 } : { t: 'b', key: p.key, state: 'open', until: this.now + c.open_seconds * 1000 });
      return;
    }
    let w = this.local.get(p.key);
    if (!w || this.now - w.since > c.window_seconds * 1000) this.local.set(p.key, (w = { since: this.now, fail: 0, total: 0 }));
    w.total += 1;
    if (!p.ok) w.fail += 1;
    if (w.fail >= c.failure_threshold || (w.total >= c.min_requests && w.fail / w.total >= c.error_ratio)) {
      this.local.delete(p.key);
      void this.transition({ t: 'b', key: p.key, state: 'open', until: this.now + c.open_seconds * 1000 });
    }
  }

  private async transition(m: Extract<HealthMessage, { t: 'b' }>): Promise<void> {
    this.apply(m);
    await this.deps.channel?.publish(m);
  }

  private claimProbe(key: string, b: Breaker): void {
    const redis = this.deps.redis;
    if (!redis) {
      b.state = 'half_open';
      return;
    }
    b.claiming = true;
    const ttl = PROBE_CLAIM_MS;
    redis.set(`${this.deps.prefix}:cbp:{${key}}`, this.deps.replicaId, 'PX', ttl, 'NX').then(
      (won) => {
        b.claiming = false;
        if (won && this.breakers.get(key) === b) b.state = 'half_open';
        // Another replica probes: look again once its claim has expired, unless its outcome arrives first.
        else b.until = this.now + ttl;
      },
      (err: unknown) => {
        b.claiming = false;
        this.deps.onError?.(err);
      },
    );
  }

  private receive(m: HealthMessage): void {
    if (m.t === 'b') return this.apply(m);
    if (m.from === this.deps.replicaId) return;
    for (const [key, ok, ttfb] of m.samples) this.fold(key, ok === 1, ttfb);
  }

  private apply(m: Extract<HealthMessage, { t: 'b' }>): void {
    if (m.state === 'closed') this.breakers.delete(m.key);
    else this.breakers.set(m.key, { state: 'open', until: m.until, claiming: false });
  }

  private fold(key: string, ok: boolean, ttfbMs: number): void {
    const s = this.stats.get(key);
    const err = ok ? 0 : 1;
    if (!s) {
      this.stats.set(key, { ttfbMs: ok ? ttfbMs : null, errorRate: err, samples: 1 });
      return;
    }
    // A failed attempt's time says nothing about the target's speed: only the error rate moves.
    if (ok) s.ttfbMs = s.ttfbMs === null ? ttfbMs : s.ttfbMs + ALPHA * (ttfbMs - s.ttfbMs);
    s.errorRate += ALPHA * (err - s.errorRate);
    s.samples += 1;
  }
}

/**
 * One attempt's outcome against a target's breaker, atomically: KEYS[1] the breaker's hash; ARGV ok, now (ms),
 * window (ms), failure threshold, minimum requests, error ratio, open time (ms), probe. Answers the transition
 * (`open` with until, `closed`) or an empty state. While open, only the probe's outcome counts (closes or reopens).
 */
const BREAKER_SCRIPT = `
local k = KEYS[1]
local ok = tonumber(ARGV[1]); local now = tonumber(ARGV[2]); local win = tonumber(ARGV[3])
local thr = tonumber(ARGV[4]); local minr = tonumber(ARGV[5]); local ratio = tonumber(ARGV[6])
local openms = tonumber(ARGV[7]); local probe = tonumber(ARGV[8])
if probe == 1 then
  if ok == 1 then redis.call('DEL', k); return {'closed', 0} end
  redis.call('HSET', k, 'state', 'open', 'until', now + openms)
  redis.call('PEXPIRE', k, openms + 86400000)
  return {'open', now + openms}
end
local h = redis.call('HMGET', k, 'state', 'since', 'fail', 'total')
if h[1] == 'open' then return {'', 0} end
local since = tonumber(h[2] or '0'); local fail = tonumber(h[3] or '0'); local total = tonumber(h[4] or '0')
if now - since > win then since = now; fail = 0; total = 0 end
total = total + 1
if ok == 0 then fail = fail + 1 end
if fail >= thr or (total >= minr and fail / total >= ratio) then
  redis.call('HSET', k, 'state', 'open', 'until', now + openms, 'since', now, 'fail', 0, 'total', 0)
  redis.call('PEXPIRE', k, openms + 86400000)
  return {'open', now + openms}
end
redis.call('HSET', k, 'state', 'closed', 'since', since, 'fail', fail, 'total', total)
redis.call('PEXPIRE', k, win + 1000)
return {'', 0}
`;
