import type { ErrorResponse } from './error-response';

/**
 * The error shape a route family answers in (DESIGN.md section 13): the OpenAI shape on the gateway's own and
 * OpenAI-compatible routes, Anthropic's on the Anthropic Messages routes (`/v1/messages`), Dynamiq's on the
 * Dynamiq-compatible routes (`/v1/ocr/*`), so that each client reads the errors it knows.
 */
export type ErrorFamily = 'openai' | 'anthropic' | 'dynamiq';

/** Anthropic's error body: `{"type":"error","error":{"type","message"},"request_id"}`. */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id: string | null;
}

/** Anthropic's error type for a status (its API uses these types with these statuses). */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** The same error in Anthropic's shape (the message, which names the field or the provider, is kept). */
export function anthropicErrorBody(status: number, message: string, requestId: string | null): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(status), message }, request_id: requestId };
}

/** Dynamiq's error envelope: `{"error":{"code","message","details"}}`, e.g. `details: {"file": "cannot be blank"}`. */
export interface DynamiqErrorBody {
  error: { code: string; message: string; details: Record<string, string> };
}

/** Dynamiq's error code for a status: `bad_request`, `unauthorized` and `not_found` as Dynamiq answers them. */
export function dynamiqErrorCode(status: number): string {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 429:
      return 'too_many_requests';
    case 503:
      return 'service_unavailable';
    case 504:
      return 'timeout';
    default:
      return status >= 500 ? 'internal_error' : 'bad_request';
  }
}

/**
 * The same error in Dynamiq's envelope. `details` names the field at fault the way Dynamiq does
 * (`{"file": "cannot be blank"}` for a missing field, else the message), and `reason` keeps the gateway's
 * own code (`encrypted_pdf`, `invalid_api_key`, ...) so that a client can still tell the causes apart.
 */
export function dynamiqErrorBody(status: number, error: { message: string; param: string | null; code: string | null }): DynamiqErrorBody {
  const fields: Record<string, string> = {};
  if (error.param) fields[error.param] = / is required\b/.test(error.message) ? 'cannot be blank' : error.message;
  return dynamiqEnvelope(status, error.message, fields, error.code);
}

/** Dynamiq's envelope from the fields at fault (`{path: problem}`) and the gateway's own code (`details.reason`). */
export function dynamiqEnvelope(status: number, message: string, fields: Record<string, string>, reason: string | null): DynamiqErrorBody {
  return { error: { code: dynamiqErrorCode(status), message, details: reason ? { ...fields, reason } : { ...fields } } };
}

/** An error answer's body in the route family's shape. */
export function errorBodyFor(family: ErrorFamily, answer: ErrorResponse, requestId: string): object {
  if (family === 'anthropic') return anthropicErrorBody(answer.status, answer.body.error.message, requestId);
  if (family === 'dynamiq') return dynamiqErrorBody(answer.status, answer.body.error);
  return answer.body;
}
