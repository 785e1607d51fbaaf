import { z } from 'zod';

export const createTemplateSchema = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    template: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    schema: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((v) => (v.template === undefined) !== (v.schema === undefined), { message: 'give exactly one of template or schema' });

export const updateTemplateSchema = z.object({
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(2000).nullable().optional(),
  template: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
});
