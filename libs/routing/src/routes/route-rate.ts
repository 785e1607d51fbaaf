import { createHash } from 'node:crypto';
import { LimitsUnavailableError, type LimitCounter, type LimitStore } from '@switchyard/metering';
import { GatewayError, newId } from '@switchyard/types';
import type { CompiledElement } from './route-document';

type RateElement = Extract<CompiledElement, { type: 'rate' }>;

/** Where a rate element counts: its project and route, and what to do when Redis is down (the project's `rate_limits_fail_open`). */
export interface RouteRateScope {
  projectId: string;
  route: string;
  failOpen: boolean;
}

/** Counts one request against a rate element for `keyValue`; false when the limit is reached. */
export type RouteRateLimiter = (scope: RouteRateScope, element: RateElement, keyValue: string) => Promise<boolean>;

/** The Redis counter of a `count` rate element for one key value: clock-aligned (`fixed`) or exact (`sliding`) windows. */
export function routeRateCounter(prefix: string, scope: RouteRateScope, element: RateElement, keyValue: string, nowMs: number): LimitCounter {
  const spanMs = element.window * 1000;
  const sliding = element.technique === 'sliding';
  const windowStart = Math.floor(nowMs / spanMs) * spanMs;
  // The key value is hashed: it may be anything the request carries (a user id, an e-mail).
  const value = createHash('sha256').update(keyValue).digest('base64url').slice(0, 22);
  const base = `${prefix}:route-rate:${scope.projectId}:${scope.route}:${element.id}:${value}`;
  return {
    key: sliding ? base : `${base}:${windowStart}`,
    kind: sliding ? 's' : 'c',
    limit: element.limit,
    amount: 1,
    spanMs,
    resetAtMs: sliding ? null : windowStart + spanMs,
    code: 'rate_limit_exceeded',
    param: `route.${element.id}`,
    category: 'rate',
    header: null,
    settle: null,
    label: `route element '${element.id}'`,
  };
}

/**
 * Rate elements over the LimitStore's atomic counters (one round trip, shared by every replica). `count` limits
 * count requests; `cost` limits are not enforced yet and answer 501 naming the element (never an unlimited pass).
 * Redis down: the request passes when the project fails rate limits open, else takes the element's fallback.
 */
export function routeRateLimiter(store: Pick<LimitStore, 'reserve'>, prefix: string, now: () => number = Date.now): RouteRateLimiter {
  return async (scope, element, keyValue) => {
    if (element.limitType === 'cost') {
      throw new GatewayError(501, 'server_error', 'route_rate_not_supported', `Rate element '${element.id}' has a cost limit, which this gateway version does not enforce yet; use limitType "count".`);
    }
    const nowMs = now();
    try {
      return (await store.reserve([routeRateCounter(prefix, scope, element, keyValue, nowMs)], nowMs, newId())).ok;
    } catch (err) {
      if (err instanceof LimitsUnavailableError) return scope.failOpen;
      throw err;
    }
  };
}
