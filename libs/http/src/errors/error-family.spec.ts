import { anthropicErrorBody, anthropicErrorType, dynamiqErrorBody, dynamiqErrorCode, errorBodyFor } from './error-family';

describe('error families', () => {
  it("maps statuses to Anthropic's error types", () => {
    expect([400, 401, 402, 403, 404, 413, 415, 429, 500, 502, 503, 504, 529].map(anthropicErrorType)).toEqual([
      'invalid_request_error',
      'authentication_error',
      'billing_error',
      'permission_error',
      'not_found_error',
      'request_too_large',
      'invalid_request_error',
      'rate_limit_error',
      'api_error',
      'api_error',
      'overloaded_error',
      'timeout_error',
      'overloaded_error',
    ]);
  });

  it('writes one error in the family of its route', () => {
    const answer = { status: 404, body: { error: { message: "The model 'x' does not exist.", type: 'invalid_request_error', param: 'model', code: 'model_not_found' } }, headers: {}, internal: false };
    expect(errorBodyFor('openai', answer, 'req-1')).toBe(answer.body);
    expect(errorBodyFor('anthropic', answer, 'req-1')).toEqual(anthropicErrorBody(404, "The model 'x' does not exist.", 'req-1'));
    expect(anthropicErrorBody(404, 'gone', 'req-1')).toEqual({ type: 'error', error: { type: 'not_found_error', message: 'gone' }, request_id: 'req-1' });
  });

  it("maps statuses to Dynamiq's error codes", () => {
    expect([400, 401, 403, 404, 413, 415, 422, 429, 500, 502, 503, 504].map(dynamiqErrorCode)).toEqual([
      'bad_request',
      'unauthorized',
      'forbidden',
      'not_found',
      'bad_request',
      'bad_request',
      'bad_request',
      'too_many_requests',
      'internal_error',
      'internal_error',
      'service_unavailable',
      'timeout',
    ]);
  });

  it("writes Dynamiq's envelope with the field at fault in details and the gateway's code as details.reason", () => {
    const missing = { status: 400, body: { error: { message: 'A file is required (multipart field "file").', type: 'invalid_request_error', param: 'file', code: 'invalid_request' } }, headers: {}, internal: false };
    expect(errorBodyFor('dynamiq', missing, 'req-1')).toEqual({
      error: { code: 'bad_request', message: 'A file is required (multipart field "file").', details: { file: 'cannot be blank', reason: 'invalid_request' } },
    });
    expect(dynamiqErrorBody(401, { message: 'Invalid or missing access key.', param: null, code: 'invalid_api_key' })).toEqual({
      error: { code: 'unauthorized', message: 'Invalid or missing access key.', details: { reason: 'invalid_api_key' } },
    });
    expect(dynamiqErrorBody(500, { message: 'boom', param: null, code: null })).toEqual({ error: { code: 'internal_error', message: 'boom', details: {} } });
  });
});
