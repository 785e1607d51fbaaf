import { anthropicErrorBody, anthropicErrorType, errorBodyFor } from './error-family';

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
});
