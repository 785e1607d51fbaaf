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
