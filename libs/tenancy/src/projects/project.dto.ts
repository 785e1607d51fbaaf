import { z } from 'zod';
import { SLUG_PATTERN } from '@switchyard/types';

export const slugSchema = z.string().regex(SLUG_PATTERN, 'must be 1-64 lowercase letters, digits or dashes, not starting or ending with a dash');

export const createProjectSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    id: slugSchema.optional(),
  })
  .strict();

export type CreateProjectDto = z.infer<typeof createProjectSchema>;
