import { parseJsonError } from '../shared/errors';
import type { ProviderErrorInfo } from '../types';

const GEMINI_CONTEXT = /exceeds the maximum number of tokens|input token count .* exceeds/i;

/** `{"error":{"code":400,"message":"…","status":"INVALID_ARGUMENT"}}` (Vertex's Anthropic models answer Anthropic's shape). */
export function parseGoogleError(status: number, body: string): ProviderErrorInfo {
  const info = parseJsonError(status, body);
  try {
    const err = (JSON.parse(body) as { error?: { status?: unknown } }).error;
    if (err && typeof err.status === 'string') info.code = err.status;
  } catch {
    /* not JSON */
  }
  if (GEMINI_CONTEXT.test(info.message)) info.contextLength = true;
  return info;
}
