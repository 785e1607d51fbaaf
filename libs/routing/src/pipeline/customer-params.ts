import type { CustomerLimits } from '@switchyard/metering';
import { invalidRequest, zodToGatewayError } from '@switchyard/types';
import { z } from 'zod';

const PERIODS = { daily: '1d', weekly: '7d', monthly: '1mo', yearly: '1y' } as const;

/**
 * Keywords AI `customer_params`: the fields enforced (`rate_limit` requests per minute, `period_budget` per
 * `budget_duration`, `total_budget`) are validated; the descriptive ones (`name`, `email`, `metadata`,
 * `markup_percentage`, `period_start`, `period_end`) are accepted and not enforced (docs/governance.md).
 */
const customerParamsSchema = z.object({
  customer_params: z
    .object({
      customer_identifier: z.union([z.string().min(1).max(512), z.number()]).optional(),
      rate_limit: z.number().int().min(0).max(10_000_000).optional(),
      period_budget: z.number().min(0).optional(),
      budget_duration: z.enum(['daily', 'weekly', 'monthly', 'yearly']).optional(),
      total_budget: z.number().min(0).optional(),
    })
    .loose()
    .nullable()
    .optional(),
});

/** The customer's limits of a request (null: none), identified by `customer_params.customer_identifier` or the body's `customer_identifier`. */
export function customerLimitsOf(params: unknown, customerIdentifier: string | null): CustomerLimits | null {
  if (params === undefined || params === null) return null;
  const parsed = customerParamsSchema.safeParse({ customer_params: params });
  if (!parsed.success) throw zodToGatewayError(parsed.error);
  const p = parsed.data.customer_params;
  if (!p) return null;
  const budgets: CustomerLimits['budgets'] = [];
  if (p.period_budget !== undefined) {
    if (!p.budget_duration) throw invalidRequest("'customer_params.budget_duration' is required with period_budget.", 'customer_params.budget_duration');
    budgets.push({ usd: p.period_budget, period: PERIODS[p.budget_duration] });
  }
  if (p.total_budget !== undefined) budgets.push({ usd: p.total_budget, period: null });
  const rpm = p.rate_limit ?? null;
  if (rpm === null && !budgets.length) return null;
  const id = p.customer_identifier !== undefined ? String(p.customer_identifier) : customerIdentifier;
  if (id === null) {
    throw invalidRequest("'customer_identifier' (or customer_params.customer_identifier) is required with customer_params limits.", 'customer_identifier');
  }
  return { id, rpm, budgets };
}
