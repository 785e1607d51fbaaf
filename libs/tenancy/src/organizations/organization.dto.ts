import { z } from 'zod';

// monthly_spend is stored as numeric(14,6): bounded so that a larger value is a 400, not a 500.
const quota = z.number().nonnegative().max(10_000_000).nullable().optional();

export const createOrganizationSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    quotas: z
      .object({ monthly_requests: quota.pipe(z.number().int().nonnegative().nullable().optional()), monthly_spend: quota })
      .strict()
      .optional(),
  })
  .strict();

export type CreateOrganizationDto = z.infer<typeof createOrganizationSchema>;
