import { z } from 'zod';
import { isUuid } from '@switchyard/types';
import { slugSchema } from '../projects/project.dto';

/** A config's slug, how `x-gateway-config` names it besides its id (never UUID-shaped, so the two cannot be confused). */
export const configSlugSchema = slugSchema.refine((v) => !isUuid(v), 'must not have the shape of a UUID');

export const createConfigSchema = z.object({ name: z.string().trim().min(1).max(200), slug: configSlugSchema.optional() }).strict();
export const patchConfigSchema = z.object({ name: z.string().trim().min(1).max(200).optional(), slug: configSlugSchema.optional() }).strict();

/** What a variant version sets: the model, a Nunjucks system prompt over `body.input`, request parameters. */
export const variantVersionSchema = z
  .object({
    model: z.string().trim().min(1).max(512).nullable().optional(),
    system_prompt: z.string().max(100_000).nullable().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const variantNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a variant name is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit')
  .refine((v) => !isUuid(v), 'must not have the shape of a UUID');

export const createVariantSchema = variantVersionSchema.extend({ name: variantNameSchema }).strict();

/** A targeting rule: the variant (id or name), its pinned version (null or absent: the latest), where and when it applies. */
export const ruleSchema = z
  .object({
    variant: z.string().min(1),
    version: z.number().int().min(1).nullable().optional(),
    environment: z.string().trim().min(1).max(64).nullable().optional(),
    priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    weight: z.number().int().min(0).max(10_000).optional(),
    conditions: z.unknown().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const putRulesSchema = z.object({ rules: z.array(ruleSchema).max(100) }).strict();
