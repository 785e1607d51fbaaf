import type { output, ZodError, ZodType } from 'zod';
import { invalidRequest, type GatewayError } from './errors';

/** Dotted/bracketed path of a zod issue as the OpenAI `param` spells it: `messages[0].role`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Turns the first zod issue into a 400 that names the bad parameter. */
export function zodToGatewayError(error: ZodError, prefix = ''): GatewayError {
  const issue = error.issues[0];
  if (!issue) return invalidRequest('Invalid request.');
  let path = issue.path;
  // For unknown keys the param is the unknown key itself.
  if (issue.code === 'unrecognized_keys' && issue.keys.length) path = [...path, issue.keys[0] as string];
  const param = issuePath(path);
  const full = prefix && param ? `${prefix}.${param}` : prefix || param;
  const where = full ? `'${full}': ` : '';
  return invalidRequest(`Invalid value for ${where}${issue.message}`.replace(/: $/, ''), full || null);
}

/** Parses `value` (absent = `{}`) with `schema`, or throws the 400 of its first issue; `prefix` names the enclosing field (`options.`). */
export function parseOr400<S extends ZodType>(schema: S, value: unknown, prefix = ''): output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw zodToGatewayError(result.error, prefix);
  return result.data;
}
