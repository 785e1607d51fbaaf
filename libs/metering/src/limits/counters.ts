import type { JsonObject, KeyLimits, OrganizationQuotas, SpendRule } from '@switchyard/types';
import { alignedWindow, anchoredWindow, budgetWindow, FOREVER, monthWindow, type BudgetPeriod, type TimeWindow } from './windows';

/** Money in Redis counters: integer nano-USD (exact sums; $9M fits a double exactly). */
export const NANO_PER_USD = 1e9;
/** A reservation rounds up, so that what is reserved covers the worst case. */
export const reserveNano = (usd: number): number => Math.ceil(usd * NANO_PER_USD - 1e-6);
export const actualNano = (usd: number): number => Math.round(usd * NANO_PER_USD);

const MINUTE = 60_000;
/** Counters outlive their window by this much, so a late settlement still finds its key. */
const SETTLE_SLACK_MS = 10 * MINUTE;
/** A parallel-requests gauge forgets requests of a crashed process after this long without any traffic. */
export const PARALLEL_GAUGE_TTL_MS = 10 * MINUTE;

/**
 * One counter a call is checked against and reserves in, atomically with the others (`LimitStore.reserve`).
 * `c`: a counter (INCRBY `amount` if the total stays within `limit`); `s`: a sliding window of the last
 * `spanMs` (a sorted set of request times, exact), one request each.
 */
export interface LimitCounter {
  key: string;
  kind: 'c' | 's';
  limit: number;
  amount: number;
  /** `c`: the key's time to live in ms (0: none); `s`: the window length in ms. */
  spanMs: number;
  /** When the counter's window ends (its Retry-After), null for sliding windows and gauges. */
  resetAtMs: number | null;
  /** The 429's code, e.g. `key_rpm_exceeded`. */
  code: LimitCode;
  /** The 429's `error.param`: the rule id of a budget, the limit's field otherwise. */
  param: string;
  /** How Redis being down is handled: rate limits and budgets each have their project setting. */
  category: 'rate' | 'budget';
  /** Which `x-ratelimit-*-{requests,tokens}` headers it feeds. */
  header: 'requests' | 'tokens' | null;
  /** What happens after the call: tokens and spend are settled to actual usage, a parallel slot is released. */
  settle: 'tokens' | 'spend' | 'parallel' | null;
  /** Words for the 429 message, e.g. "this key's limit of 60 requests per minute" (built only for a refusal). */
  label: () => string;
  /** Alternatives (a call's connections): only the first with room is reserved; see LimitStore.reserve. */
  group?: string;
  /** The connection a connection counter limits. */
  connectionId?: string;
}

export type LimitCode =
  | 'rate_limit_exceeded'
  | 'key_rpm_exceeded'
  | 'key_tpm_exceeded'
  | 'key_parallel_exceeded'
  | 'customer_rate_limit_exceeded'
  | 'budget_exceeded'
  | 'quota_exceeded'
  | 'connection_rate_limit_exceeded';

/** The project's gateway rate limit (`rate_limiting_*` settings): `limit` requests per `intervalS` seconds. */
export interface GatewayRateLimit {
  limit: number;
  intervalS: number;
  technique: 'fixed' | 'sliding';
}

/** An end user's limits from the request's Keywords AI `customer_params`. */
export interface CustomerLimits {
  id: string;
  /** Requests per minute. */
  rpm: number | null;
  /** USD per period (`period_budget`) and in all (`total_budget`, period null). */
  budgets: { usd: number; period: BudgetPeriod | null }[];
}

/** Everything configured that may limit a call: read from memory (project snapshot, key, request), never from Redis. */
export interface LimitSubject {
  organizationId: string;
  projectId: string;
  keyId: string | null;
  gateway: GatewayRateLimit | null;
  key: KeyLimits | null;
  customer: CustomerLimits | null;
  spendRules: readonly SpendRule[];
  quotas: OrganizationQuotas | null;
  /** The call's connections with a `rate_limit` per `rate_limit_period`, in the order of its targets. */
  connections: readonly ConnectionRateLimit[];
}

/** A connection's own limit: `limit` requests per `periodS` seconds (clock-aligned windows). */
export interface ConnectionRateLimit {
  connectionId: string;
  limit: number;
  periodS: number;
}

/** The call as the limits see it; the estimates are computed only when a token limit or a budget applies. */
export interface CallFacts {
  provider: string;
  model: string;
  metadata: JsonObject;
  /** Tokens the call may use: the prompt's estimate plus its output limit. */
  estimateTokens: () => number;
  /** The worst-case cost in USD at the prices the call will be charged (0 when unpriced). */
  estimateCostUsd: () => number;
}

/** The Redis key prefix of one organization's counters: a hash tag, so one call's keys share a Redis Cluster slot. */
export const limitKeyPrefix = (redisPrefix: string, organizationId: string) => `${redisPrefix}:lim:{${organizationId}}:`;

/**
 * The counters of connections' own rate limits (clock-aligned windows), one group of alternatives: a reservation
 * takes the first with room (`LimitStore.reserve`). `base`: `limitKeyPrefix` of the organization.
 */
export function connectionCounters(base: string, connections: readonly ConnectionRateLimit[], nowMs: number): LimitCounter[] {
  return connections.map((conn) => {
    const w = alignedWindow(nowMs, conn.periodS * 1000);
    return {
      key: `${base}c:${conn.connectionId}:${conn.periodS}:${w.startMs}`, kind: 'c', limit: conn.limit, amount: 1, spanMs: w.endMs - nowMs + SETTLE_SLACK_MS, resetAtMs: w.endMs,
      code: 'connection_rate_limit_exceeded', param: 'rate_limit', category: 'rate', header: null, settle: null,
      label: () => `the connection's limit of ${conn.limit} requests per ${conn.periodS} s`, group: 'connections', connectionId: conn.connectionId,
    };
  });
}

/** The counter keys the admin API reads back (budgets), built the same way the counters are. */
export const limitKeys = {
  keyBudget: (base: string, keyId: string, period: BudgetPeriod | null, w: TimeWindow) => `${base}k:${keyId}:usd:${period ?? 'total'}:${w.startMs}`,
  spendRule: (base: string, projectId: string, ruleId: string, w: TimeWindow, values: readonly string[]) =>
    `${base}p:${projectId}:r:${ruleId}:${w.startMs}:${values.map(encodeURIComponent).join('|')}`,
  monthlyRequests: (base: string, w: TimeWindow) => `${base}o:req:${w.startMs}`,
  monthlySpend: (base: string, w: TimeWindow) => `${base}o:usd:${w.startMs}`,
};

/** The window of a spend rule holding `nowMs`: UTC-aligned, or anchored at the rule's creation. */
export function spendRuleWindow(rule: SpendRule, nowMs: number): TimeWindow {
  const lengthMs = rule.window * 1000;
  return rule.calendar_aligned ? alignedWindow(nowMs, lengthMs) : anchoredWindow(nowMs, lengthMs, Date.parse(rule.created_at));
}

/**
 * The dimension values a spend rule keys a call's budget by, or null when the rule does not apply to the call
 * (a filter that does not match, a split metadata key the call does not carry).
 */
export function spendRuleValues(rule: SpendRule, call: Pick<CallFacts, 'provider' | 'model' | 'metadata'>): string[] | null {
  if (!rule.enabled) return null;
  const values: string[] = [];
  for (const d of rule.dimensions) {
    const raw = d.type === 'provider' ? call.provider : d.type === 'model' ? call.model : call.metadata[d.key];
    if (raw === undefined || raw === null || typeof raw === 'object') return null;
    const value = String(raw);
    if (d.mode === 'filter') {
      if (value !== d.value) return null;
    } else values.push(value);
  }
  return values;
}

/** True when nothing is configured that could limit a call of this subject: no counters, no Redis round trip. */
export function hasLimits(s: LimitSubject): boolean {
  const k = s.key;
  return (
    s.gateway !== null ||
    s.connections.length > 0 ||
    s.customer !== null ||
    s.spendRules.length > 0 ||
    (s.quotas !== null && (s.quotas.monthlyRequests !== null || s.quotas.monthlySpendUsd !== null)) ||
    (k !== null && (k.rpmLimit !== null || k.tpmLimit !== null || k.maxParallelRequests !== null || k.maxBudget !== null))
  );
}

/**
 * The counters that apply to one call at `nowMs` (the policy, pure): the gateway limit (fixed clock-aligned
 * or sliding), the key's rpm/tpm/parallel/budget, the customer's rpm/budget, each applicable spend rule, the
 * organization's monthly quotas. Empty when nothing is configured.
 */
export function countersFor(s: LimitSubject, call: CallFacts, nowMs: number, redisPrefix: string): LimitCounter[] {
  const base = limitKeyPrefix(redisPrefix, s.organizationId);
  const out: LimitCounter[] = [];
  let tokens: number | undefined;
  let costNano: number | undefined;
  const cost = () => (costNano ??= reserveNano(call.estimateCostUsd()));
  const counter = (w: TimeWindow, c: Omit<LimitCounter, 'kind' | 'spanMs' | 'resetAtMs'>): LimitCounter => ({
    ...c,
    kind: 'c',
    spanMs: w === FOREVER ? 0 : w.endMs - nowMs + SETTLE_SLACK_MS,
    resetAtMs: w === FOREVER ? null : w.endMs,
  });
  const budget = (key: string, w: TimeWindow, usd: number, param: string, label: () => string, code: LimitCode = 'budget_exceeded') =>
    counter(w, { key, limit: reserveNano(usd), amount: cost(), code, param, category: 'budget', header: null, settle: 'spend', label });

  const g = s.gateway;
  if (g) {
    const label = () => `the gateway's rate limit of ${g.limit} requests per ${g.intervalS} s`;
    const common = { limit: g.limit, amount: 1, code: 'rate_limit_exceeded', param: 'rate_limiting_limit', category: 'rate', header: 'requests', settle: null, label } as const;
    if (g.technique === 'sliding') {
      out.push({ ...common, key: `${base}p:${s.projectId}:gws:${g.intervalS}`, kind: 's', spanMs: g.intervalS * 1000, resetAtMs: null });
    } else {
      const w = alignedWindow(nowMs, g.intervalS * 1000);
      out.push(counter(w, { ...common, key: `${base}p:${s.projectId}:gw:${g.intervalS}:${w.startMs}` }));
    }
  }

  const k = s.key;
  if (k && s.keyId) {
    const kb = `${base}k:${s.keyId}:`;
    const minute = alignedWindow(nowMs, MINUTE);
    if (k.rpmLimit !== null) {
      out.push(
        counter(minute, {
          key: `${kb}rpm:${minute.startMs}`, limit: k.rpmLimit, amount: 1, code: 'key_rpm_exceeded', param: 'rpm_limit', category: 'rate', header: 'requests', settle: null,
          label: () => `this key's limit of ${k.rpmLimit} requests per minute`,
        }),
      );
    }
    if (k.tpmLimit !== null) {
      tokens ??= call.estimateTokens();
      out.push(
        counter(minute, {
          key: `${kb}tpm:${minute.startMs}`, limit: k.tpmLimit, amount: tokens, code: 'key_tpm_exceeded', param: 'tpm_limit', category: 'rate', header: 'tokens', settle: 'tokens',
          label: () => `this key's limit of ${k.tpmLimit} tokens per minute`,
        }),
      );
    }
    if (k.maxParallelRequests !== null) {
      out.push({
        key: `${kb}par`, kind: 'c', limit: k.maxParallelRequests, amount: 1, spanMs: PARALLEL_GAUGE_TTL_MS, resetAtMs: null, code: 'key_parallel_exceeded',
        param: 'max_parallel_requests', category: 'rate', header: null, settle: 'parallel', label: () => `this key's limit of ${k.maxParallelRequests} parallel requests`,
      });
    }
    if (k.maxBudget !== null) {
      const w = k.budgetDuration ? budgetWindow(k.budgetDuration, nowMs) : FOREVER;
      const per = k.budgetDuration ? ` per ${k.budgetDuration}` : '';
      out.push(budget(limitKeys.keyBudget(base, s.keyId, k.budgetDuration, w), w, k.maxBudget, 'max_budget', () => `this key's budget of $${k.maxBudget}${per}`));
    }
  }

  const c = s.customer;
  if (c) {
    const cb = `${base}p:${s.projectId}:c:${encodeURIComponent(c.id)}:`;
    if (c.rpm !== null) {
      const minute = alignedWindow(nowMs, MINUTE);
      out.push(
        counter(minute, {
          key: `${cb}rpm:${minute.startMs}`, limit: c.rpm, amount: 1, code: 'customer_rate_limit_exceeded', param: 'customer_params.rate_limit', category: 'rate',
          header: 'requests', settle: null, label: () => `the customer's limit of ${c.rpm} requests per minute`,
        }),
      );
    }
    for (const { usd, period } of c.budgets) {
      const w = period ? budgetWindow(period, nowMs) : FOREVER;
      const param = period ? 'customer_params.period_budget' : 'customer_params.total_budget';
      out.push(budget(`${cb}usd:${period ?? 'total'}:${w.startMs}`, w, usd, param, () => `the customer's budget of $${usd}${period ? ` per ${period}` : ' in total'}`));
    }
  }

  for (const rule of s.spendRules) {
    const values = spendRuleValues(rule, call);
    if (!values) continue;
    const w = spendRuleWindow(rule, nowMs);
    const label = () => `spend rule ${rule.name ? `'${rule.name}' ` : ''}(${rule.id}) of $${rule.amount} per ${rule.window} s${values.length ? ` for ${values.join(', ')}` : ''}`;
    out.push(budget(limitKeys.spendRule(base, s.projectId, rule.id, w, values), w, rule.amount, rule.id, label));
  }

  if (s.connections.length) out.push(...connectionCounters(base, s.connections, nowMs));

  const q = s.quotas;
  if (q && (q.monthlyRequests !== null || q.monthlySpendUsd !== null)) {
    const month = monthWindow(nowMs);
    if (q.monthlyRequests !== null) {
      out.push(
        counter(month, {
          key: limitKeys.monthlyRequests(base, month), limit: q.monthlyRequests, amount: 1, code: 'quota_exceeded', param: 'monthly_requests', category: 'budget',
          header: null, settle: null, label: () => `the organization's quota of ${q.monthlyRequests} requests this month`,
        }),
      );
    }
    if (q.monthlySpendUsd !== null) {
      out.push(budget(limitKeys.monthlySpend(base, month), month, q.monthlySpendUsd, 'monthly_spend', () => `the organization's quota of $${q.monthlySpendUsd} this month`, 'quota_exceeded'));
    }
  }
  return out;
}
