import { invalidRequest, type ChatRequestBody } from '@switchyard/types';

/** Request headers as the edge received them (Node's HeaderMap fits). */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

export type Backoff = 'constant' | 'linear' | 'exponential';

/** The gateway's own fields of a request body (Keywords AI style), validated, removed before forwarding. */
export type BodyExtensions = Pick<ChatRequestBody, 'fallback_models' | 'retry_params'>;

/**
 * Per-request controls, parsed at the edge from `x-gateway-*` headers (and their `cf-aig-*` aliases) and the
 * body's extensions: what the pipeline reads instead of raw headers. Unset fields leave the project's settings.
 */
export interface RequestControls {
  /** `x-gateway-max-attempts`: attempts per target, the first included (1-5). */
  maxAttempts?: number;
  /** `x-gateway-retry-delay` (0-5000 ms). */
  retryDelayMs?: number;
  /** `x-gateway-backoff`. */
  backoff?: Backoff;
  /** `x-gateway-request-timeout` (1-600000 ms to the first byte). */
  requestTimeoutMs?: number;
  /** `x-gateway-drop-unsupported: true`: drop parameters the provider cannot honour instead of a 400. */
  dropUnsupported: boolean;
  /** The body's `retry_params`. */
  retryParams?: BodyExtensions['retry_params'];
  /** The body's `fallback_models`: tried in order after the model's own targets. */
  fallbackModels: readonly string[];
}

const NO_FALLBACKS: readonly string[] = [];
const BACKOFFS: readonly string[] = ['constant', 'linear', 'exponential'];

/** The two header names of a control: `x-gateway-<name>` and its Cloudflare alias `cf-aig-<name>`. */
const names = (name: string) => [`x-gateway-${name}`, `cf-aig-${name}`] as const;
const MAX_ATTEMPTS = names('max-attempts');
const RETRY_DELAY = names('retry-delay');
const BACKOFF = names('backoff');
const REQUEST_TIMEOUT = names('request-timeout');
const DROP_UNSUPPORTED = names('drop-unsupported');

/** Parses the controls of one request; a control out of its bounds is a 400 naming its header. */
export function parseRequestControls(headers: HeaderMap, body: BodyExtensions = {}): RequestControls {
  const maxAttempts = intControl(headers, MAX_ATTEMPTS, 1, 5);
  const retryDelayMs = intControl(headers, RETRY_DELAY, 0, 5000);
  const backoff = control(headers, BACKOFF);
  if (backoff && !BACKOFFS.includes(backoff.value)) throw invalidRequest(`Header ${backoff.header} must be constant, linear or exponential.`, backoff.header);
  return {
    maxAttempts,
    retryDelayMs,
    backoff: backoff?.value as Backoff | undefined,
    requestTimeoutMs: intControl(headers, REQUEST_TIMEOUT, 1, 600_000),
    dropUnsupported: control(headers, DROP_UNSUPPORTED)?.value === 'true',
    retryParams: body.retry_params,
    fallbackModels: body.fallback_models ?? NO_FALLBACKS,
  };
}

function control(headers: HeaderMap, names: readonly [string, string]): { header: string; value: string } | undefined {
  for (const header of names) {
    const v = headers[header];
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && value !== '') return { header, value: value.trim() };
  }
  return undefined;
}

function intControl(headers: HeaderMap, names: readonly [string, string], min: number, max: number): number | undefined {
  const c = control(headers, names);
  if (!c) return undefined;
  const n = Number(c.value);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidRequest(`Header ${c.header} must be an integer from ${min} to ${max}.`, c.header);
  return n;
}
