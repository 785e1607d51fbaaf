import type { CircuitBreakerSettings, ProjectSettings } from '@switchyard/types';
import type { Backoff, RequestControls } from './pipeline/request-controls';

export interface ExecutionPolicy {
  /** Attempts per target, the first included (1-5). */
  maxAttempts: number;
  retryDelayMs: number;
  backoff: Backoff;
  /** Per attempt: time allowed until the first byte (non-streaming: the whole answer's headers; streaming: the first content). */
  requestTimeoutMs: number;
  retryAfterCapMs: number;
  dropUnsupported: boolean;
  /** The project's circuit breaker (null: off). */
  breaker?: CircuitBreakerSettings | null;
  /** Report each attempt's time to the first byte (a `least-latency` group's call), even without a breaker. */
  trackLatency?: boolean;
}

/**
 * The retry/timeout policy of one call: the project's settings, overridden within their bounds by the
 * request's controls (`x-gateway-*` headers and the body's `retry_params`, parsed at the edge).
 */
export function executionPolicy(settings: ProjectSettings, controls: RequestControls, defaults: { requestTimeoutMs: number; retryAfterCapMs: number }): ExecutionPolicy {
  const retry = controls.retryParams;
  let maxAttempts = settings.retry_max_attempts;
  if (retry?.retry_enabled === false) maxAttempts = 1;
  else if (retry?.num_retries !== undefined) maxAttempts = Math.min(5, retry.num_retries + 1);
  return {
    maxAttempts: controls.maxAttempts ?? maxAttempts,
    retryDelayMs: controls.retryDelayMs ?? settings.retry_delay,
    backoff: controls.backoff ?? settings.retry_backoff,
    requestTimeoutMs: controls.requestTimeoutMs ?? defaults.requestTimeoutMs,
    retryAfterCapMs: defaults.retryAfterCapMs,
    dropUnsupported: controls.dropUnsupported,
    breaker: settings.circuit_breaker,
  };
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
