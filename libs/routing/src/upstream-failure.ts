import { GatewayError } from '@switchyard/types';

/** Why one attempt failed, in the terms the executor decides on. */
export type UpstreamFailure =
  | { kind: 'http'; status: number; message: string; param: string | null; contextLength: boolean; retryAfterMs?: number }
  | { kind: 'stream'; status: number; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'network'; message: string }
  | { kind: 'unsupported'; param: string; message: string };

const RETRYABLE_STATUS = (s: number) => s === 408 || s === 409 || s === 429 || s >= 500;

export function isRetryable(f: UpstreamFailure): boolean {
  switch (f.kind) {
    case 'timeout':
    case 'network':
      return true;
    case 'http':
    case 'stream':
      return RETRYABLE_STATUS(f.status);
    case 'unsupported':
      return false;
  }
}

/** Whether the next target should be tried once this one has given up. */
export function allowsFallback(f: UpstreamFailure): boolean {
  switch (f.kind) {
    case 'timeout':
    case 'network':
    case 'stream':
    case 'unsupported':
      return true;
    case 'http':
      return RETRYABLE_STATUS(f.status) || f.status === 401 || f.status === 403 || f.status === 404 || f.contextLength;
  }
}

/** The client-facing error once every target has failed (DESIGN.md section 4). */
export function toGatewayError(f: UpstreamFailure, provider: string): GatewayError {
  switch (f.kind) {
    case 'unsupported':
      return new GatewayError(400, 'invalid_request_error', 'unsupported_parameter', f.message, { param: f.param });
    case 'timeout':
      return new GatewayError(504, 'api_error', 'provider_timeout', `${provider} did not answer in time.`);
    case 'network':
      return new GatewayError(502, 'api_error', 'provider_unreachable', `${provider} could not be reached: ${f.message}`);
    case 'stream':
      return new GatewayError(f.status === 429 ? 429 : 503, f.status === 429 ? 'rate_limit_error' : 'api_error', f.status === 429 ? 'rate_limit_exceeded' : 'provider_unavailable', `${provider} failed: ${f.message}`);
    case 'http': {
      const s = f.status;
      if (s === 400 || s === 404 || s === 413 || s === 422) {
        return new GatewayError(s, 'invalid_request_error', s === 404 ? 'model_not_found' : f.contextLength ? 'context_length_exceeded' : 'invalid_request', f.message, { param: f.param });
      }
      if (s === 401 || s === 403) {
        return new GatewayError(502, 'api_error', 'provider_auth_error', `${provider} rejected the connection's credentials (HTTP ${s}): ${f.message}`);
      }
      if (s === 429) {
        const headers: Record<string, string> = f.retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(f.retryAfterMs / 1000)) } : {};
        return new GatewayError(429, 'rate_limit_error', 'rate_limit_exceeded', `${provider} is rate limiting requests: ${f.message}`, { headers });
      }
      if (s === 408) return new GatewayError(504, 'api_error', 'provider_timeout', `${provider} timed out: ${f.message}`);
      if (s >= 500) return new GatewayError(503, 'api_error', 'provider_unavailable', `${provider} is unavailable (HTTP ${s}): ${f.message}`);
      return new GatewayError(s >= 400 && s < 500 ? s : 502, 'invalid_request_error', 'upstream_error', f.message);
    }
  }
}

/** Removes credential values from a provider message before it reaches a client or a log. */
export function scrub(message: string, secrets: string[]): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join('[redacted]');
  return out.replace(/\b(sk|sy|key)[-_][A-Za-z0-9_-]{12,}/g, '[redacted]').slice(0, 2000);
}
