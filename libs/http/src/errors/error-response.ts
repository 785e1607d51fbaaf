import { HttpException } from '@nestjs/common';
import { errorBody, GatewayError, type OpenAIErrorBody } from '@switchyard/types';

export interface ErrorResponse {
  status: number;
  body: OpenAIErrorBody;
  headers: Record<string, string>;
  /** True when the cause is unexpected and must be logged with its stack. */
  internal: boolean;
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

/** Maps anything thrown while serving a request to the OpenAI error shape; internals never leave. */
export function toErrorResponse(err: unknown, requestId: string): ErrorResponse {
  if (err instanceof GatewayError) {
    return { status: err.status, body: err.toBody(), headers: err.headers, internal: false };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status >= 500) return internalError(requestId);
    const res = err.getResponse();
    const message = typeof res === 'string' ? res : String((res as { message?: unknown }).message ?? err.message);
    const unknownRoute = status === 404 && /^Cannot [A-Z]+ /.test(message);
    if (unknownRoute) {
      return { status, body: errorBody(`Unknown request URL: ${message.slice(7)}.`, 'invalid_request_error', 'unknown_url'), headers: {}, internal: false };
    }
    if (status === 400 && /JSON/i.test(message)) {
      return { status, body: errorBody('We could not parse the JSON body of your request.', 'invalid_request_error', 'invalid_json'), headers: {}, internal: false };
    }
    if (status === 413) {
      return { status, body: errorBody('Request body is too large.', 'invalid_request_error', 'request_too_large'), headers: {}, internal: false };
    }
    const code = status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : `http_${status}`;
    return { status, body: errorBody(message, TYPE_BY_STATUS[status] ?? 'invalid_request_error', code), headers: {}, internal: false };
  }
  if (isUnstorableText(err)) {
    const message =
      'A value in the request holds a character that cannot be stored: a NUL character (\\u0000) or an unpaired UTF-16 surrogate (\\ud800-\\udfff without its pair). Remove it and send the request again.';
    return { status: 400, body: errorBody(message, 'invalid_request_error', 'unstorable_character'), headers: {}, internal: false };
  }
  const fastify = err as { statusCode?: number; code?: string; message?: string };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const status = fastify.statusCode;
    const [message, code] = describeClientError(fastify.code, fastify.message ?? '', status);
    return { status, body: errorBody(message, TYPE_BY_STATUS[status] ?? 'invalid_request_error', code), headers: {}, internal: false };
  }
  return internalError(requestId);
}

function describeClientError(code: string | undefined, message: string, status: number): [string, string] {
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ['Request body is too large.', 'request_too_large'];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ['Unsupported Content-Type.', 'unsupported_media_type'];
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return ['Request body is empty; expected a JSON object.', 'invalid_json'];
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ['Content-Length does not match the body.', 'invalid_content_length'];
    // @fastify/multipart: say which limit was hit.
    case 'FST_PARTS_LIMIT':
      return ['The multipart body has too many parts (the parts limit).', 'too_many_parts'];
    case 'FST_FILES_LIMIT':
      return ['The multipart body has too many files (the files limit).', 'too_many_files'];
    case 'FST_FIELDS_LIMIT':
      return ['The multipart body has too many fields (the fields limit).', 'too_many_fields'];
    case 'FST_REQ_FILE_TOO_LARGE':
      return ['The uploaded file is too large (the file size limit).', 'file_too_large'];
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return ['The request is not multipart/form-data.', 'invalid_multipart'];
    case 'FST_ERR_BAD_URL':
      return ['The request URL is not valid.', 'invalid_url'];
    default:
      if (status === 400 && (/JSON/i.test(message) || code === 'FST_ERR_CTP_INVALID_JSON_BODY')) {
        return ['We could not parse the JSON body of your request.', 'invalid_json'];
      }
      if (status === 413) return ['Request body is too large.', 'request_too_large'];
      return [message || 'Bad request.', code?.toLowerCase() ?? `http_${status}`];
  }
}

/**
 * Whether PostgreSQL refused a value for a character it cannot store, as a request's text can hold: a NUL in a text
 * column (22021, "invalid byte sequence for encoding UTF8: 0x00"), `\u0000` in a jsonb value (22P05), or an unpaired
 * surrogate in a jsonb value, which JSON.stringify writes as `\ud800` (22P02, its detail naming the surrogate). The
 * statement failed, so nothing was stored. The error is TypeORM's QueryFailedError (the driver's in `driverError`) or
 * the driver's own.
 */
function isUnstorableText(err: unknown): boolean {
  const pg = ((err as { driverError?: unknown })?.driverError ?? err) as { code?: unknown; message?: unknown; detail?: unknown };
  if (typeof pg?.code !== 'string') return false;
  if (pg.code === '22P05') return true;
  if (pg.code === '22021') return typeof pg.message === 'string' && pg.message.endsWith('0x00');
  return pg.code === '22P02' && typeof pg.detail === 'string' && /surrogate/i.test(pg.detail);
}

function internalError(requestId: string): ErrorResponse {
  return {
    status: 500,
    body: errorBody(`The server had an error while processing your request (request id ${requestId}).`, 'server_error', 'internal_error'),
    headers: {},
    internal: true,
  };
}
