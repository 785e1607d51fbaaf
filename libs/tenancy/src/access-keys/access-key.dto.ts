import { z } from 'zod';
import { projectRefSchema } from '../projects/project.dto';

export const createAccessKeySchema = z
  .object({
    organization_id: z.uuid(),
    /** The project's slug (its public id) or UUID; absent for an organization key. */
    project_id: projectRefSchema.nullable().optional(),
    name: z.string().trim().min(1).max(200),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
    admin: z.boolean().optional(),
  })
  .strict();

export type CreateAccessKeyDto = z.infer<typeof createAccessKeySchema>;
