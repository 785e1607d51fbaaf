import { invalidRequest, type ProjectSettings } from '@switchyard/types';

export type Backoff = 'constant' | 'linear' | 'exponential';

export interface ExecutionPolicy {
  /** Attempts per target, the first included (1-5). */
  maxAttempts: number;
  retryDelayMs: number;
  backoff: Backoff;
  /** Per attempt: time allowed until the first byte (non-streaming: the whole answer's headers; streaming: the first content). */
  requestTimeoutMs: number;
  retryAfterCapMs: number;
  dropUnsupported: boolean;
}

type Headers = Record<string, string | string[] | undefined>;

/** Reads a per-request control from `x-gateway-<name>` or its Cloudflare alias `cf-aig-<name>`. */
export function control(headers: Headers, name: string): { header: string; value: string } | undefined {
  for (const header of [`x-gateway-${name}`, `cf-aig-${name}`]) {
    const v = headers[header];
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && value !== '') return { header, value: value.trim() };
  }
  return undefined;
}

function intControl(headers: Headers, name: string, min: number, max: number): number | undefined {
  const c = control(headers, name);
  if (!c) return undefined;
  const n = Number(c.value);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidRequest(`Header ${c.header} must be an integer from ${min} to ${max}.`, c.header);
  return n;
}

/**
 * The retry/timeout policy of one request: the project's settings, overridden within their bounds by
 * `x-gateway-max-attempts`, `-retry-delay`, `-backoff`, `-request-timeout` (and `cf-aig-*`) and by the
 * body's `retry_params` (Keywords AI style).
 */
export function executionPolicy(
  settings: ProjectSettings,
  headers: Headers,
  defaults: { requestTimeoutMs: number; retryAfterCapMs: number },
  retryParams?: { retry_enabled?: boolean; num_retries?: number },
): ExecutionPolicy {
  let maxAttempts = settings.retry_max_attempts;
  if (retryParams?.retry_enabled === false) maxAttempts = 1;
  else if (retryParams?.num_retries !== undefined) maxAttempts = Math.min(5, retryParams.num_retries + 1);
  maxAttempts = intControl(headers, 'max-attempts', 1, 5) ?? maxAttempts;
  const retryDelayMs = intControl(headers, 'retry-delay', 0, 5000) ?? settings.retry_delay;
  const backoffControl = control(headers, 'backoff');
  if (backoffControl && !['constant', 'linear', 'exponential'].includes(backoffControl.value)) {
    throw invalidRequest(`Header ${backoffControl.header} must be constant, linear or exponential.`, backoffControl.header);
  }
  const backoff = (backoffControl?.value as Backoff | undefined) ?? settings.retry_backoff;
  const requestTimeoutMs = intControl(headers, 'request-timeout', 1, 600_000) ?? defaults.requestTimeoutMs;
  const drop = control(headers, 'drop-unsupported');
  return { maxAttempts, retryDelayMs, backoff, requestTimeoutMs, retryAfterCapMs: defaults.retryAfterCapMs, dropUnsupported: drop?.value === 'true' };
}

/** Delay before retry number `retry` (1 = the first retry): constant d, linear d·n, exponential d·2^(n-1), ±20 % jitter. */
export function backoffDelay(policy: Pick<ExecutionPolicy, 'retryDelayMs' | 'backoff'>, retry: number, random = Math.random): number {
  const d = policy.retryDelayMs;
  const base = policy.backoff === 'constant' ? d : policy.backoff === 'linear' ? d * retry : d * 2 ** (retry - 1);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
