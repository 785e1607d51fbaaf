import { z } from 'zod';

// monthly_spend is stored as numeric(14,6): bounded so that a larger value is a 400, not a 500.
const quota = z.number().nonnegative().max(10_000_000).nullable().optional();
const quotas = z
  .object({ monthly_requests: quota.pipe(z.number().int().nonnegative().nullable().optional()), monthly_spend: quota })
  .strict();

export const createOrganizationSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    quotas: quotas.optional(),
  })
  .strict();

/** PATCH: what is given changes; a quota set to null is removed. */
export const patchOrganizationSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    quotas: quotas.optional(),
  })
  .strict();

export type CreateOrganizationDto = z.infer<typeof createOrganizationSchema>;
