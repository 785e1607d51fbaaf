import type { KeyLimits, SpendRule } from '@switchyard/types';
import { countersFor, hasLimits, reserveNano, spendRuleValues, type CallFacts, type LimitSubject } from './counters';

const at = (iso: string) => Date.parse(iso);
const none: LimitSubject = { organizationId: 'org', projectId: 'prj', keyId: 'key', gateway: null, key: null, customer: null, spendRules: [], quotas: null, connections: [] };
const noKeyLimits: KeyLimits = { rpmLimit: null, tpmLimit: null, maxParallelRequests: null, maxBudget: null, budgetDuration: null, models: null };
const call = (over: Partial<CallFacts> = {}): CallFacts => ({
  provider: 'openai',
  model: 'gpt-4o-mini',
  metadata: {},
  estimateTokens: () => 120,
  estimateCostUsd: () => 0.01,
  ...over,
});
const rule = (over: Partial<SpendRule> = {}): SpendRule => ({
  id: 'rule-1',
  amount: 5,
  window: 86_400,
  calendar_aligned: true,
  enabled: true,
  dimensions: [],
  created_at: '2026-01-01T06:00:00Z',
  ...over,
});

describe('countersFor (the limits policy)', () => {
  it('has nothing to check, and estimates nothing, when nothing is configured', () => {
    const estimate = jest.fn(() => 1);
    expect(hasLimits(none)).toBe(false);
    expect(hasLimits({ ...none, key: noKeyLimits, quotas: { monthlyRequests: null, monthlySpendUsd: null } })).toBe(false);
    expect(countersFor(none, call({ estimateTokens: estimate, estimateCostUsd: estimate }), Date.now(), 'sy')).toEqual([]);
    expect(estimate).not.toHaveBeenCalled();
  });

  it('keys a fixed gateway limit by clock-aligned window and a sliding one by nothing but the project (Cloudflare 12:09 / 12:11)', () => {
    const fixed: LimitSubject = { ...none, gateway: { limit: 10, intervalS: 600, technique: 'fixed' } };
    const [a] = countersFor(fixed, call(), at('2026-03-04T12:09:00Z'), 'sy');
    const [b] = countersFor(fixed, call(), at('2026-03-04T12:11:00Z'), 'sy');
    expect(a!.key).not.toBe(b!.key);
    expect(a!.resetAtMs).toBe(at('2026-03-04T12:10:00Z'));
    expect(a).toMatchObject({ kind: 'c', limit: 10, amount: 1, code: 'rate_limit_exceeded', header: 'requests' });

    const sliding: LimitSubject = { ...none, gateway: { limit: 10, intervalS: 600, technique: 'sliding' } };
    const [c] = countersFor(sliding, call(), at('2026-03-04T12:09:00Z'), 'sy');
    const [d] = countersFor(sliding, call(), at('2026-03-04T12:11:00Z'), 'sy');
    expect(c!.key).toBe(d!.key);
    expect(c).toMatchObject({ kind: 's', spanMs: 600_000, resetAtMs: null });
  });

  it('gives a key its rpm, tpm (the estimate), parallel and budget counters under the organization hash tag', () => {
    const s: LimitSubject = { ...none, key: { ...noKeyLimits, rpmLimit: 60, tpmLimit: 1000, maxParallelRequests: 2, maxBudget: 1, budgetDuration: '1d' } };
    const counters = countersFor(s, call(), at('2026-03-04T12:09:00Z'), 'sy');
    expect(counters.map((c) => c.code)).toEqual(['key_rpm_exceeded', 'key_tpm_exceeded', 'key_parallel_exceeded', 'budget_exceeded']);
    expect(counters.every((c) => c.key.startsWith('sy:lim:{org}:'))).toBe(true);
    expect(counters[1]).toMatchObject({ amount: 120, settle: 'tokens', header: 'tokens' });
    expect(counters[2]).toMatchObject({ settle: 'parallel', resetAtMs: null });
    expect(counters[3]).toMatchObject({ limit: 1e9, amount: reserveNano(0.01), settle: 'spend', param: 'max_budget', resetAtMs: at('2026-03-05T00:00:00Z') });
  });

  it('applies spend rules by their dimensions: filter matches only its value, split keys one budget per value', () => {
    const filter = rule({ dimensions: [{ type: 'model', mode: 'filter', value: 'gpt-4o' }] });
    expect(spendRuleValues(filter, call())).toBeNull();
    expect(spendRuleValues(filter, call({ model: 'gpt-4o' }))).toEqual([]);
    const split = rule({ dimensions: [{ type: 'metadata', key: 'user', mode: 'split' }] });
    expect(spendRuleValues(split, call())).toBeNull();
    const s: LimitSubject = { ...none, spendRules: [split] };
    const [alice] = countersFor(s, call({ metadata: { user: 'alice' } }), Date.now(), 'sy');
    const [bob] = countersFor(s, call({ metadata: { user: 'bob' } }), Date.now(), 'sy');
    expect(alice!.key).not.toBe(bob!.key);
    expect(alice).toMatchObject({ param: 'rule-1', code: 'budget_exceeded', category: 'budget' });
    expect(spendRuleValues(rule({ enabled: false }), call())).toBeNull();
  });

  it('anchors a non-aligned spend rule window at its creation', () => {
    const [c] = countersFor({ ...none, spendRules: [rule({ calendar_aligned: false })] }, call(), at('2026-03-04T05:00:00Z'), 'sy');
    expect(c!.resetAtMs).toBe(at('2026-03-04T06:00:00Z'));
  });

  it('counts organization quotas per calendar month, 0 meaning none available', () => {
    const counters = countersFor({ ...none, quotas: { monthlyRequests: 0, monthlySpendUsd: 20 } }, call(), at('2026-03-04T05:00:00Z'), 'sy');
    expect(counters.map((c) => [c.code, c.param, c.limit])).toEqual([
      ['quota_exceeded', 'monthly_requests', 0],
      ['quota_exceeded', 'monthly_spend', 20e9],
    ]);
    expect(counters[0]!.resetAtMs).toBe(at('2026-04-01T00:00:00Z'));
  });

  it("gives a customer (customer_params) an rpm and a budget in the project's space", () => {
    const counters = countersFor({ ...none, customer: { id: 'u 1', rpm: 5, budgets: [{ usd: 2, period: '1mo' }] } }, call(), Date.now(), 'sy');
    expect(counters.map((c) => c.code)).toEqual(['customer_rate_limit_exceeded', 'budget_exceeded']);
    expect(counters[0]!.key).toContain(':p:prj:c:u%201:');
  });
});
