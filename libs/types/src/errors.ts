/**
 * Domain errors carry a string code, an HTTP status and the OpenAI error `type`.
 * Transports (HTTP filters, workers) map them; domain code never builds HTTP responses.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'server_error';

export interface OpenAIErrorBody {
  error: { message: string; type: ErrorType | string; param: string | null; code: string | null; details?: readonly Record<string, unknown>[] };
}

export interface GatewayErrorOptions {
  param?: string | null;
  headers?: Record<string, string>;
  cause?: unknown;
  /** Per-item reasons (e.g. each routing target's, when every one failed): `error.details` of the body. Never secrets. */
  details?: readonly Record<string, unknown>[];
}

export class GatewayError extends Error {
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly details: readonly Record<string, unknown>[] | undefined;

  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }

  toBody(): OpenAIErrorBody {
    const error: OpenAIErrorBody['error'] = { message: this.message, type: this.type, param: this.param, code: this.code };
    if (this.details) error.details = this.details;
    return { error };
  }
}

export const invalidRequest = (message: string, param: string | null = null, code = 'invalid_request') =>
  new GatewayError(400, 'invalid_request_error', code, message, { param });

export const unauthorized = (message = 'Invalid or missing access key.', code = 'invalid_api_key') =>
  new GatewayError(401, 'authentication_error', code, message);

export const forbidden = (message: string, code = 'permission_denied') =>
  new GatewayError(403, 'permission_error', code, message);

export const notFound = (message: string, code = 'not_found', param: string | null = null) =>
  new GatewayError(404, 'not_found_error', code, message, { param });

/** A dependency (PostgreSQL) is down: retryable, with Retry-After. */
export const serviceUnavailable = (message: string, code = 'service_unavailable', retryAfterSeconds = 5) =>
  new GatewayError(503, 'api_error', code, message, { headers: { 'retry-after': String(retryAfterSeconds) } });

export const conflict = (message: string, code = 'conflict', param: string | null = null) =>
  new GatewayError(409, 'invalid_request_error', code, message, { param });

export function errorBody(message: string, type: ErrorType | string, code: string | null, param: string | null = null): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}
