import type { ProviderErrorInfo } from '../types';

const CONTEXT_PATTERNS = /context[_ ]length|maximum context|context window|too many tokens|prompt is too long|input is too long/i;

/** Reads the usual `{"error":{"message","type","code","param"}}` (or `{"message"}`) error bodies. */
export function parseJsonError(status: number, body: string): ProviderErrorInfo {
  let message = '';
  let code: string | undefined;
  let param: string | null = null;
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const err = (Array.isArray(json) ? json[0] : json) as Record<string, unknown>;
    const inner = (typeof err['error'] === 'object' && err['error'] !== null ? err['error'] : err) as Record<string, unknown>;
    message = typeof inner['message'] === 'string' ? inner['message'] : typeof err['message'] === 'string' ? err['message'] : '';
    const c = inner['code'] ?? inner['type'] ?? inner['status'];
    code = typeof c === 'string' || typeof c === 'number' ? String(c) : undefined;
    param = typeof inner['param'] === 'string' ? inner['param'] : null;
  } catch {
    message = body.trim().slice(0, 500);
  }
  if (!message) message = `The provider answered HTTP ${status}.`;
  return { message, code, param, contextLength: code === 'context_length_exceeded' || CONTEXT_PATTERNS.test(message) };
}

/** The HTTP status an error type named inside a stream corresponds to (Anthropic types, Bedrock exceptions, Google statuses). */
export function statusForErrorType(type: string | undefined, fallback = 500): number {
  const t = (type ?? '').toLowerCase().replace(/[_-]/g, '');
  if (!t) return fallback;
  if (t.includes('overloaded')) return 529;
  if (t.includes('ratelimit') || t.includes('throttling') || t === 'resourceexhausted' || t.includes('toomanyrequests')) return 429;
  if (t.includes('invalidrequest') || t.includes('validation') || t === 'invalidargument' || t === 'failedprecondition') return 400;
  if (t.includes('authentication') || t === 'unauthenticated') return 401;
  if (t.includes('permission') || t.includes('accessdenied')) return 403;
  if (t.includes('notfound')) return 404;
  if (t.includes('requesttoolarge')) return 413;
  if (t.includes('serviceunavailable') || t === 'unavailable') return 503;
  if (t.includes('timeout') || t === 'deadlineexceeded') return 504;
  if (t.includes('modelstreamerror')) return 502;
  if (t.includes('internal') || t.includes('apierror')) return 500;
  return fallback;
}
