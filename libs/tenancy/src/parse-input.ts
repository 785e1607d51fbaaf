import type { ZodError } from 'zod';
import { zodToGatewayError } from '@switchyard/types';

interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: ZodError };
}

/** Validates admin input (absent = `{}`); the first problem becomes a 400 naming the parameter, under `prefix`. */
export function parseInput<T>(schema: Schema<T>, input: unknown, prefix = ''): T {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw zodToGatewayError(result.error, prefix);
  return result.data;
}
