import { z } from 'zod';

/** Budget windows of keys (LiteLLM's `budget_duration`): clock-aligned in UTC; `1mo` is the calendar month. */
export const BUDGET_DURATIONS = ['1h', '1d', '7d', '30d', '1mo'] as const;
export type BudgetDuration = (typeof BUDGET_DURATIONS)[number];

/** The limits of one access key (null: none). Held in memory with the key, so a key without limits costs nothing. */
export interface KeyLimits {
  rpmLimit: number | null;
  tpmLimit: number | null;
  maxParallelRequests: number | null;
  /** USD per `budgetDuration` (null duration: a lifetime budget). */
  maxBudget: number | null;
  budgetDuration: BudgetDuration | null;
  /** Models the key may call (as the request names them); null: any. */
  models: string[] | null;
}

/** The wire fields of key limits, as create and PATCH of an access key accept them. */
export const keyLimitsSchema = z.object({
  rpm_limit: z.number().int().min(0).max(10_000_000).nullable(),
  tpm_limit: z.number().int().min(0).max(10_000_000_000).nullable(),
  max_parallel_requests: z.number().int().min(0).max(100_000).nullable(),
  // The column is numeric(14,6): at most $99,999,999.999999; the bound keeps it a 400, not a 500.
  max_budget: z.number().min(0).max(10_000_000).nullable(),
  budget_duration: z.enum(BUDGET_DURATIONS).nullable(),
  models: z.array(z.string().trim().min(1).max(256)).max(500).nullable(),
});
export type KeyLimitsInput = z.infer<typeof keyLimitsSchema>;

/** A spend-rule dimension (Cloudflare spend limits): `split` keeps one budget per value, `filter` applies only to `value`. */
export const spendRuleDimensionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('provider'), mode: z.enum(['split', 'filter']), value: z.string().min(1).max(256).optional() }).strict(),
  z.object({ type: z.literal('model'), mode: z.enum(['split', 'filter']), value: z.string().min(1).max(256).optional() }).strict(),
  z
    .object({ type: z.literal('metadata'), key: z.string().min(1).max(256), mode: z.enum(['split', 'filter']), value: z.string().min(1).max(256).optional() })
    .strict(),
]);
export type SpendRuleDimension = z.infer<typeof spendRuleDimensionSchema>;

/** At most this many spend rules per project (Cloudflare's limit). */
export const MAX_SPEND_RULES = 20;

/** Window bounds of a spend rule, in seconds: one minute to one year. */
export const SPEND_WINDOW_MIN_S = 60;
export const SPEND_WINDOW_MAX_S = 31_536_000;

/** A spend rule as created: USD `amount` per `window` seconds, optionally calendar-aligned (UTC), over its dimensions. */
export const spendRuleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    amount: z.number().positive().max(1_000_000_000),
    window: z.number().int().min(SPEND_WINDOW_MIN_S).max(SPEND_WINDOW_MAX_S),
    calendar_aligned: z.boolean().default(false),
    enabled: z.boolean().default(true),
    dimensions: z.array(spendRuleDimensionSchema).max(3).default([]),
  })
  .strict()
  .superRefine((rule, ctx) => {
    rule.dimensions.forEach((d, i) => {
      if (d.mode === 'filter' && d.value === undefined) ctx.addIssue({ code: 'custom', path: ['dimensions', i, 'value'], message: 'a filter dimension needs a value' });
      if (d.mode === 'split' && d.value !== undefined) ctx.addIssue({ code: 'custom', path: ['dimensions', i, 'value'], message: 'a split dimension takes no value' });
    });
  });
export type SpendRuleInput = z.infer<typeof spendRuleInputSchema>;

/** A stored spend rule: its id and the time its (non-aligned) windows are anchored at. */
export type SpendRule = SpendRuleInput & { id: string; created_at: string };

/** Organization plan quotas per calendar month (UTC); null = unlimited, 0 = not available. */
export interface OrganizationQuotas {
  monthlyRequests: number | null;
  monthlySpendUsd: number | null;
}
