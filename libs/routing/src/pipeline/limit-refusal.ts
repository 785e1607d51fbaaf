import { NANO_PER_USD, type LimitCounter, type ReserveOutcome } from '@switchyard/metering';
import { GatewayError } from '@switchyard/types';

const usd = (nano: number) => `$${(nano / NANO_PER_USD).toFixed(6).replace(/\.?0+$/, '')}`;

/** The 429 for the counter over its limit: its code, its param (a budget's rule id), Retry-After, the rate-limit headers. */
export function refusal(counters: readonly LimitCounter[], outcome: Extract<ReserveOutcome, { ok: false }>, now: number): GatewayError {
  const c = counters[outcome.index]!;
  const retryMs = outcome.retryAfterMs ?? (c.resetAtMs !== null ? c.resetAtMs - now : c.settle === 'parallel' ? 1000 : null);
  const headers: Record<string, string> = {};
  if (retryMs !== null) headers['retry-after'] = String(Math.max(1, Math.ceil(retryMs / 1000)));
  if (c.header) {
    headers[`x-ratelimit-limit-${c.header}`] = String(c.limit);
    headers[`x-ratelimit-remaining-${c.header}`] = String(Math.max(0, c.limit - outcome.used));
    if (retryMs !== null) headers[`x-ratelimit-reset-${c.header}`] = resetText(retryMs);
  }
  const message =
    c.settle === 'spend'
      ? `Over ${c.label()}: ${usd(outcome.used)} spent or reserved, and this call may cost up to ${usd(c.amount)}.`
      : c.settle === 'tokens'
        ? `Over ${c.label()}: ${outcome.used} used or reserved, and this call may use up to ${c.amount}.`
        : `Over ${c.label()}.`;
  return new GatewayError(429, 'rate_limit_error', c.code, message, { param: c.param, headers });
}

/** A duration as OpenAI's `x-ratelimit-reset-*` headers write it: `250ms`, `12s`, `6m0s`, `1h2m3s`. */
export function resetText(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
}
