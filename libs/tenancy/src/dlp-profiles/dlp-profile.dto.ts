import { z } from 'zod';

/** The longest pattern source accepted. */
const MAX_PATTERN_LENGTH = 1000;

/** A regular expression source: compiles (JavaScript syntax, global), and never matches the empty string (it would match everywhere). */
const pattern = z
  .string()
  .min(1)
  .max(MAX_PATTERN_LENGTH)
  .superRefine((source, ctx) => {
    let re: RegExp;
    try {
      re = new RegExp(source, 'g');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(err as Error).message}` });
      return;
    }
    if (re.test('')) ctx.addIssue({ code: 'custom', message: 'must not match the empty string' });
  });

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(1000),
  patterns: z.array(pattern).min(1).max(20),
  case_sensitive: z.boolean(),
};

export const createDlpProfileSchema = z
  .object({ ...fields, description: fields.description.optional(), case_sensitive: fields.case_sensitive.optional() })
  .strict();
export const patchDlpProfileSchema = z.object(fields).partial().strict();
