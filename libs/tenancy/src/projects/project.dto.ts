import { z } from 'zod';
import { isUuid, SLUG_PATTERN } from '@switchyard/types';

export const slugSchema = z.string().regex(SLUG_PATTERN, 'must be 1-64 lowercase letters, digits or dashes, not starting or ending with a dash');

/** How a request names a project: its slug (the public id), or its UUID (what older callers hold). */
export const projectRefSchema = z.string().refine((v) => isUuid(v) || SLUG_PATTERN.test(v), 'must be a project id (its slug) or UUID');

export const createProjectSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    // A UUID-shaped slug would read as another project's UUID wherever projects are named.
    id: slugSchema.refine((v) => !isUuid(v), 'must not have the shape of a UUID').optional(),
  })
  .strict();

export type CreateProjectDto = z.infer<typeof createProjectSchema>;
