/** Exponential webhook backoff (base · 2^(n-1), capped at one hour); -1 stops retrying. */
export function webhookBackoff(baseMs: number, maxAgeMs: number, attemptsMade: number, firstAttemptAt: number, now = Date.now()): number {
  const delay = Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), 60 * 60 * 1000);
  return now + delay > firstAttemptAt + maxAgeMs ? -1 : delay;
}
