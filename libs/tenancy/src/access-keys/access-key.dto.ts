import { z } from 'zod';

export const createAccessKeySchema = z
  .object({
    organization_id: z.uuid(),
    project_id: z.uuid().nullable().optional(),
    name: z.string().trim().min(1).max(200),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
    admin: z.boolean().optional(),
  })
  .strict();

export type CreateAccessKeyDto = z.infer<typeof createAccessKeySchema>;
