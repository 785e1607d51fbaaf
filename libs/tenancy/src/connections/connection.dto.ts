import { z } from 'zod';
import { PROVIDER_IDS } from '@switchyard/types';
import { slugSchema } from '../projects/project.dto';

const baseUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .max(2048)
  .transform((u) => u.replace(/\/+$/, ''));

export const createConnectionSchema = z
  .object({
    organization_id: z.uuid(),
    provider: z.enum([...PROVIDER_IDS, 'gemini', 'vertex', 'bedrock', 'azure']),
    name: z.string().trim().min(1).max(200),
    slug: slugSchema,
    credentials: z.record(z.string(), z.unknown()),
    base_url: baseUrl.nullable().optional(),
    is_default: z.boolean().optional(),
    rate_limit: z.number().int().positive().nullable().optional(),
    rate_limit_period: z.number().int().positive().nullable().optional(),
  })
  .strict();

export const patchConnectionSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    slug: slugSchema,
    credentials: z.record(z.string(), z.unknown()),
    base_url: baseUrl.nullable(),
    is_default: z.boolean(),
    rate_limit: z.number().int().positive().nullable(),
    rate_limit_period: z.number().int().positive().nullable(),
  })
  .partial()
  .strict();

export type CreateConnectionDto = z.infer<typeof createConnectionSchema>;
export type PatchConnectionDto = z.infer<typeof patchConnectionSchema>;
