import { z } from 'zod';
import { keyLimitsSchema } from '@switchyard/types';
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
  .extend(keyLimitsSchema.partial().shape)
  .strict();

export type CreateAccessKeyDto = z.infer<typeof createAccessKeySchema>;

/** PATCH of a key: its name and limits (null clears a limit). */
export const patchAccessKeySchema = keyLimitsSchema
  .partial()
  .extend({ name: z.string().trim().min(1).max(200).optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'Nothing to change: send name or a limit field.' });

export type PatchAccessKeyDto = z.infer<typeof patchAccessKeySchema>;
