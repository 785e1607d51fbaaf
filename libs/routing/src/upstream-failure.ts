import { errors as undiciErrors } from 'undici';
import { ProviderStreamError, UnsupportedParameterError } from '@switchyard/providers';
import { GatewayError, type ErrorType } from '@switchyard/types';
import type { ProviderAnswer } from './provider-answer';

/** Why one attempt failed, in the terms the executor decides on. */
export type UpstreamFailure =
  /** `answer`: the provider's own error answer (bounded), which a provider-native path returns as it came. */
  | { kind: 'http'; status: number; message: string; param: string | null; contextLength: boolean; retryAfterMs?: number; answer?: ProviderAnswer }
  | { kind: 'stream'; status: number; message: string }
  | { kind: 'timeout'; message: string }
  | { kind: 'network'; message: string }
  | { kind: 'unsupported'; param: string; message: string }
  /** The request could not even be built or sent (e.g. nested too deep to serialize): the client's, never retried. */
  | { kind: 'request'; message: string };

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
    case 'request':
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
    case 'request':
      return false;
    case 'http':
      return RETRYABLE_STATUS(f.status) || f.status === 401 || f.status === 403 || f.status === 404 || f.contextLength;
  }
}

/**
 * The one mapping of a failed call to what the client sees (DESIGN.md section 4), before the first streamed
 * byte (the response's status and body) and after it (the stream's final error event) alike. The message
 * is scrubbed of `secrets` (the connection's credential values); `headers` are added to the error's own.
 */
export function toGatewayError(f: UpstreamFailure, provider: string, secrets: readonly string[] = [], headers?: Record<string, string>): GatewayError {
  const e = describe(f, provider);
  return new GatewayError(e.status, e.type, e.code, scrub(e.message, secrets), { param: e.param, headers: headers ? { ...e.headers, ...headers } : e.headers });
}

/** The error code a failure maps to (what an attempt of the request log records). */
export function failureCode(f: UpstreamFailure): string {
  return describe(f, '').code;
}

interface ClientError {
  status: number;
  type: ErrorType;
  code: string;
  message: string;
  param?: string | null;
  headers?: Record<string, string>;
}

function describe(f: UpstreamFailure, provider: string): ClientError {
  switch (f.kind) {
    case 'unsupported':
      return { status: 400, type: 'invalid_request_error', code: 'unsupported_parameter', message: f.message, param: f.param };
    case 'request':
      return { status: 400, type: 'invalid_request_error', code: 'invalid_request', message: `The request could not be sent: ${f.message}` };
    case 'timeout':
      return { status: 504, type: 'api_error', code: 'provider_timeout', message: `${provider} did not answer in time.` };
    case 'network':
      return { status: 502, type: 'api_error', code: 'provider_unreachable', message: `${provider} could not be reached: ${f.message}` };
    case 'stream':
      return f.status === 429
        ? { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', message: `${provider} failed: ${f.message}` }
        : { status: 503, type: 'api_error', code: 'provider_unavailable', message: `${provider} failed: ${f.message}` };
    case 'http': {
      const s = f.status;
      if (s === 400 || s === 404 || s === 413 || s === 422) {
        const code = s === 404 ? 'model_not_found' : f.contextLength ? 'context_length_exceeded' : 'invalid_request';
        return { status: s, type: 'invalid_request_error', code, message: f.message, param: f.param };
      }
      if (s === 401 || s === 403) {
        return { status: 502, type: 'api_error', code: 'provider_auth_error', message: `${provider} rejected the connection's credentials (HTTP ${s}): ${f.message}` };
      }
      if (s === 429) {
        const headers: Record<string, string> = f.retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(f.retryAfterMs / 1000)) } : {};
        return { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', message: `${provider} is rate limiting requests: ${f.message}`, headers };
      }
      if (s === 408) return { status: 504, type: 'api_error', code: 'provider_timeout', message: `${provider} timed out: ${f.message}` };
      if (s >= 500) return { status: 503, type: 'api_error', code: 'provider_unavailable', message: `${provider} is unavailable (HTTP ${s}): ${f.message}` };
      return { status: s >= 400 && s < 500 ? s : 502, type: 'invalid_request_error', code: 'upstream_error', message: f.message };
    }
  }
}

/** What a thrown error means for the call: the executor's terms for retries, fallbacks and the client's error. */
export function classifyFailure(err: unknown, timedOut = false): UpstreamFailure {
  if (err instanceof UnsupportedParameterError) return { kind: 'unsupported', param: err.param, message: err.message };
  if (err instanceof ProviderStreamError) return { kind: 'stream', status: err.status, message: err.message };
  if (timedOut) return { kind: 'timeout', message: 'timed out before the first byte' };
  if (err instanceof undiciErrors.BodyTimeoutError || err instanceof undiciErrors.HeadersTimeoutError) return { kind: 'timeout', message: err.message };
  // A stack overflow building or serializing the upstream body: nothing was sent, and retrying cannot help.
  if (err instanceof RangeError) return { kind: 'request', message: err.message };
  if (err instanceof SyntaxError) return { kind: 'stream', status: 502, message: 'The provider returned malformed JSON.' };
  const code = (err as { code?: string }).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'network', message: code ? `${code}: ${message}` : message };
}

/**
 * Removes credential values from a provider message before it reaches a client or a log: each secret
 * as sent, URL-encoded, and base64 (standard and URL alphabet, at any byte alignment, as inside a
 * `Basic` header or a token the provider echoes).
 */
export function scrub(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) {
    if (!s || s.length < 6) continue;
    for (const form of secretForms(s)) out = out.split(form).join('[redacted]');
  }
  return out.replace(/\b(sk|sy|key)[-_][A-Za-z0-9_-]{12,}/g, '[redacted]').slice(0, 2000);
}

/** The forms a secret may take in an echoed message; each at least 6 characters. */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), encodeURIComponent(secret).replace(/%20/g, '+')]);
  const bytes = Buffer.from(secret, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    // Characters that depend only on the secret's bytes at this alignment within a longer base64 text.
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64').replace(/=+$/, '');
    const start = Math.ceil((offset * 8) / 6);
    const end = (offset + bytes.length) % 3 === 0 ? encoded.length : encoded.length - 1;
    const core = encoded.slice(start, end);
    if (core.length >= 6) {
      forms.add(core);
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}
