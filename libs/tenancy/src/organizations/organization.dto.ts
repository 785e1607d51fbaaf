import { z } from 'zod';

const quota = z.number().nonnegative().nullable().optional();

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
