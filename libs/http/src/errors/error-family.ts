import type { ErrorResponse } from './error-response';

/**
 * The error shape a route family answers in (DESIGN.md section 13): the OpenAI shape on the gateway's own and
 * OpenAI-compatible routes, Anthropic's on the Anthropic Messages routes (`/v1/messages`), so that each client
 * SDK reads the errors it knows.
 */
export type ErrorFamily = 'openai' | 'anthropic';

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

/** An error answer's body in the route family's shape. */
export function errorBodyFor(family: ErrorFamily, answer: ErrorResponse, requestId: string): object {
  return family === 'anthropic' ? anthropicErrorBody(answer.status, answer.body.error.message, requestId) : answer.body;
}
