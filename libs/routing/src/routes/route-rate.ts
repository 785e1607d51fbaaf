import { createHash } from 'node:crypto';
import { actualNano, LimitsUnavailableError, reserveNano, type LimitCounter, type LimitStore, type UsageRecord } from '@switchyard/metering';
import { processUniqueId } from '@switchyard/types';
import type { AdmissionTicket } from '../pipeline/admission';
import type { CompiledElement } from './route-document';

type RateElement = Extract<CompiledElement, { type: 'rate' }>;

/** Where a rate element counts: its project and route, and what to do when Redis is down (the project's `rate_limits_fail_open`). */
export interface RouteRateScope {
  projectId: string;
  route: string;
  failOpen: boolean;
}

/**
 * Counts one request against a rate element for `keyValue`; false when the limit is reached. A `cost` element that
 * admits pushes its counter to `holds`: the call's settled cost is added to it afterwards (`routeCostTicket`).
 */
export type RouteRateLimiter = (scope: RouteRateScope, element: RateElement, keyValue: string, holds?: LimitCounter[]) => Promise<boolean>;

/** The Redis counter of a `count` rate element for one key value: clock-aligned (`fixed`) or exact (`sliding`) windows. */
export function routeRateCounter(prefix: string, scope: RouteRateScope, element: RateElement, keyValue: string, nowMs: number): LimitCounter {
  const spanMs = element.window * 1000;
  const cost = element.limitType === 'cost';
  const sliding = element.technique === 'sliding' && !cost;
  const windowStart = Math.floor(nowMs / spanMs) * spanMs;
  // The key value is hashed: it may be anything the request carries (a user id, an e-mail).
  const value = createHash('sha256').update(keyValue).digest('base64url').slice(0, 22);
  const base = `${prefix}:route-rate:${scope.projectId}:${scope.route}:${element.id}:${value}`;
  return {
    key: sliding ? base : `${base}:${windowStart}`,
    kind: sliding ? 's' : 'c',
    limit: cost ? reserveNano(element.limit) : element.limit,
    amount: 1,
    spanMs,
    resetAtMs: sliding ? null : windowStart + spanMs,
    code: 'rate_limit_exceeded',
    param: `route.${element.id}`,
    category: 'rate',
    header: null,
    settle: cost ? 'spend' : null,
    label: () => `route element '${element.id}'`,
  };
}

/**
 * Rate elements over the LimitStore's atomic counters (one round trip, shared by every replica). `count` limits
 * count requests; `cost` limits the settled cost of the calls (USD) per key value.
 * Redis down: the request passes when the project fails rate limits open, else takes the element's fallback.
 */
export function routeRateLimiter(store: Pick<LimitStore, 'reserve'>, prefix: string, now: () => number = Date.now): RouteRateLimiter {
  return async (scope, element, keyValue, holds) => {
    const nowMs = now();
    const counter = routeRateCounter(prefix, scope, element, keyValue, nowMs);
    try {
      const { ok } = await store.reserve([counter], nowMs, processUniqueId());
      if (ok && counter.settle) holds?.push(counter);
      return ok;
    } catch (err) {
      if (err instanceof LimitsUnavailableError) return scope.failOpen;
      throw err;
    }
  };
}

/**
 * The settlement of the cost elements a request passed: once the call's usage is known, its cost (a call without a
 * price: 0) replaces the nano-dollar each reserved; a call that failed gives it back. Best effort, off the answer.
 */
export function routeCostTicket(store: Pick<LimitStore, 'adjust'>, holds: readonly LimitCounter[], onError: (err: unknown) => void = () => undefined): AdmissionTicket {
  const adjust = (delta: number) => void store.adjust(holds.map((c) => ({ key: c.key, delta }))).catch(onError);
  return {
    headers: {},
    settle: (usage: UsageRecord | null) => adjust(actualNano(usage?.cost ?? 0) - 1),
    release: () => adjust(-1),
  };
}
