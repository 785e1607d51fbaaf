import type { ProjectSnapshot } from '@switchyard/auth';
import {
  budgetWindow,
  FOREVER,
  limitKeyPrefix,
  limitKeys,
  monthWindow,
  NANO_PER_USD,
  spendRuleWindow,
  type LimitStore,
  type TimeWindow,
} from '@switchyard/metering';
import type { BudgetDuration, SpendRule } from '@switchyard/types';

/** A key as the report needs it (the admin API's key view fits). */
export interface BudgetedKey {
  id: string;
  name: string;
  project_id: string | null;
  max_budget: number | null;
  budget_duration: string | null;
}

/** One budget's state in its current window; `spent` counts settled calls and the reservations of calls in flight. */
export interface BudgetUsage {
  limit: number;
  spent: number;
  remaining: number;
  window_start: string | null;
  window_end: string | null;
}

export interface BudgetsView {
  project: string;
  as_of: string;
  rules: (SpendRule & { buckets: (BudgetUsage & { values: string[] })[] })[];
  keys: (BudgetedKey & BudgetUsage)[];
  quotas: { monthly_requests: BudgetUsage | null; monthly_spend: BudgetUsage | null };
}

const iso = (ms: number) => (ms === FOREVER.endMs || ms === FOREVER.startMs ? null : new Date(ms).toISOString());
const dollars = (nano: number) => Math.round(nano) / NANO_PER_USD;

function usage(limit: number, spent: number, w: TimeWindow): BudgetUsage {
  return { limit, spent, remaining: Math.max(0, Math.round((limit - spent) * NANO_PER_USD) / NANO_PER_USD), window_start: iso(w.startMs), window_end: iso(w.endMs) };
}

/**
 * What `GET …/budgets` answers: the project's spend rules (one bucket per value seen for split rules), the budgets
 * of the keys that can act on it and the organization's monthly quotas, each with spent and remaining in its
 * current window, read from the same Redis counters the router reserves in.
 */
export class BudgetsReport {
  constructor(
    private readonly store: LimitStore,
    private readonly redisPrefix: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async build(project: ProjectSnapshot, keys: readonly BudgetedKey[]): Promise<BudgetsView> {
    const now = this.clock();
    const base = limitKeyPrefix(this.redisPrefix, project.organizationId);

    const rules: BudgetsView['rules'] = [];
    for (const rule of project.spendRules) {
      const w = spendRuleWindow(rule, now);
      const splits = rule.dimensions.some((d) => d.mode === 'split');
      const unsplit = limitKeys.spendRule(base, project.id, rule.id, w, []);
      const bucketKeys = splits ? await this.store.scan(`${unsplit}*`) : [unsplit];
      const spent = await this.store.read(bucketKeys);
      const buckets = bucketKeys.map((key, i) => ({
        values: splits ? key.slice(unsplit.length).split('|').map(decodeURIComponent) : [],
        ...usage(rule.amount, dollars(spent[i] ?? 0), w),
      }));
      rules.push({ ...rule, buckets });
    }

    const budgeted = keys.filter((k) => k.max_budget !== null && (k.project_id === null || k.project_id === project.id));
    const windows = budgeted.map((k) => (k.budget_duration ? budgetWindow(k.budget_duration as BudgetDuration, now) : FOREVER));
    const keySpent = await this.store.read(budgeted.map((k, i) => limitKeys.keyBudget(base, k.id, (k.budget_duration as BudgetDuration | null) ?? null, windows[i]!)));

    const month = monthWindow(now);
    const q = project.quotas;
    const [requests = 0, spend = 0] = await this.store.read([limitKeys.monthlyRequests(base, month), limitKeys.monthlySpend(base, month)]);
    return {
      project: project.slug,
      as_of: new Date(now).toISOString(),
      rules,
      keys: budgeted.map((k, i) => ({ ...k, ...usage(k.max_budget ?? 0, dollars(keySpent[i] ?? 0), windows[i]!) })),
      quotas: {
        monthly_requests: q?.monthlyRequests != null ? usage(q.monthlyRequests, requests, month) : null,
        monthly_spend: q?.monthlySpendUsd != null ? usage(q.monthlySpendUsd, dollars(spend), month) : null,
      },
    };
  }
}
