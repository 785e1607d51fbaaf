import { z } from 'zod';
import { isUuid } from '@switchyard/types';
import { variantNameSchema } from '../configs/config.dto';

/** A saved message: its `content` is a Nunjucks template over `prompt.variables`. */
const promptMessageSchema = z.object({ role: z.enum(['system', 'developer', 'user', 'assistant']), content: z.string().max(100_000), name: z.string().min(1).max(64).optional() }).strict();

export const promptVersionSchema = z
  .object({
    messages: z.array(promptMessageSchema).min(1).max(100),
    model: z.string().trim().min(1).max(512).nullable().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const createPromptSchema = promptVersionSchema.extend({ name: variantNameSchema.refine((v) => !isUuid(v), 'must not have the shape of a UUID') }).strict();
export const patchPromptSchema = z.object({ name: variantNameSchema }).strict();
export const deployPromptSchema = z.object({ version: z.number().int().min(1) }).strict();
