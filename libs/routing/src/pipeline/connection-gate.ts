import type { ResolvedConnection, TenantDirectory } from '@switchyard/auth';
import { connectionCounters, limitKeyPrefix, LimitsUnavailableError, type ConnectionRateLimit, type LimitStore } from '@switchyard/metering';
import { processUniqueId, serviceUnavailable, type GatewayError } from '@switchyard/types';
import type { RouteTarget } from '../resolve-model';
import type { TargetGate } from './admission';
import { refusal } from './limit-refusal';

/** Whether a connection has its own rate limit (`rate_limit` per `rate_limit_period`). */
export const isLimited = (c: ResolvedConnection): boolean => !!(c.rateLimit && c.rateLimitPeriod);

/** A connection's own rate limit, if it has one. */
export function connectionLimitOf(c: ResolvedConnection): ConnectionRateLimit[] {
  return isLimited(c) ? [{ connectionId: c.id, limit: c.rateLimit!, periodS: c.rateLimitPeriod! }] : [];
}

export interface ConnectionGateDeps {
  store: LimitStore;
  directory: Pick<TenantDirectory, 'connectionsOf'>;
  redisPrefix: string;
  clock: () => number;
}

/**
 * Connections' own rate limits for the targets after the first (fallbacks, a group's next member, a route's next
 * model): each connection a call uses is counted once. Admission counted the first target's; a target on a
 * limited connection the call has not used yet is reserved when the executor moves to it (one Redis round trip,
 * on that move only). Over its limit, the target moves to another connection of the same provider that the call
 * has not used: the first limited one with room (reserved in the same round trip), else one without a limit;
 * with none, it is skipped, and the call's 429 is kept for when no later target answers.
 */
export class ConnectionGate implements TargetGate {
  refusal: GatewayError | null = null;

  constructor(
    private readonly deps: ConnectionGateDeps,
    private readonly organizationId: string,
    /** The project's choice when Redis cannot be asked (`rate_limits_fail_open`). */
    private readonly failOpen: boolean,
    /** The connections this call has gone to (admission's first); each target entered is added. */
    private readonly used: Set<string>,
  ) {}

  enter(target: RouteTarget): RouteTarget | null | Promise<RouteTarget | null> {
    const c = target.connection;
    if (this.used.has(c.id)) return target;
    if (isLimited(c)) return this.reserve(target);
    this.used.add(c.id);
    return target;
  }

  private async reserve(target: RouteTarget): Promise<RouteTarget | null> {
    const own = target.connection;
    const all = await this.deps.directory.connectionsOf(this.organizationId);
    const others = all.filter((c) => c.provider === own.provider && c.id !== own.id && !this.used.has(c.id));
    const candidates = [own, ...others.filter(isLimited)];
    const now = this.deps.clock();
    const counters = connectionCounters(limitKeyPrefix(this.deps.redisPrefix, this.organizationId), candidates.flatMap(connectionLimitOf), now);
    let used: number[];
    try {
      const outcome = await this.deps.store.reserve(counters, now, processUniqueId());
      // A group of alternatives refuses nothing: each is reserved (its total) or not (-1 had room, -2 full).
      used = outcome.ok ? outcome.used : [];
    } catch (err) {
      if (!(err instanceof LimitsUnavailableError)) throw err;
      if (this.failOpen) return target;
      throw serviceUnavailable('The rate limits of this call cannot be checked right now (the limits store is unreachable); retry later.', 'limits_unavailable');
    }
    const reserved = used.findIndex((u) => u >= 0);
    const chosen = reserved >= 0 ? candidates[reserved] : others.find((c) => !isLimited(c));
    if (!chosen) {
      this.refusal = refusal(counters, { ok: false, index: 0, used: counters[0]!.limit, retryAfterMs: null }, now);
      return null;
    }
    this.used.add(chosen.id);
    return chosen === own ? target : { ...target, connection: chosen };
  }
}
