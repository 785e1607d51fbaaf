import { Readable } from 'node:stream';
import { GatewayError } from '@switchyard/types';
import { boundedBytes, keptHeaders, ProviderErrorAnswer, providerAnswerOf, scrubBytes } from './provider-answer';

describe('provider error answers', () => {
  it('keeps the headers an SDK reads (request ids, retry hints, rate-limit state), never a cookie or a credential', () => {
    expect(
      keptHeaders({ 'Retry-After': '3', 'x-request-id': 'r1', 'x-amzn-ErrorType': 'ThrottlingException', 'x-ratelimit-remaining-requests': '0', 'set-cookie': ['a=b'], 'api-key': 'k', connection: 'keep-alive' }),
    ).toEqual({ 'retry-after': '3', 'x-request-id': 'r1', 'x-amzn-errortype': 'ThrottlingException', 'x-ratelimit-remaining-requests': '0' });
  });

  it('reads at most the limit of a body', async () => {
    const body = Readable.from([Buffer.from('abcdef'), Buffer.from('ghijkl')]);
    expect((await boundedBytes(body, 8)).toString()).toBe('abcdefgh');
    expect((await boundedBytes(Readable.from([Buffer.from('{"a":1}')]))).toString()).toBe('{"a":1}');
  });

  it('removes every form of a credential the provider echoes, and keeps the very bytes otherwise', () => {
    const clean = Buffer.from('{"error":"bad"}');
    expect(scrubBytes(clean, ['sk-server-secret'])).toBe(clean);
    const echoed = Buffer.from(`{"error":"Incorrect API key provided: sk-server-secret (${Buffer.from('sk-server-secret').toString('base64')})"}`);
    expect(scrubBytes(echoed, ['sk-server-secret']).toString()).toBe('{"error":"Incorrect API key provided: [redacted] ([redacted]A==)"}');
  });

  it("is found on the error the edge copies (its status the provider's, its code ours)", () => {
    const answer = { status: 418, contentType: 'application/json', headers: {}, body: Buffer.from('{}') };
    const err = new ProviderErrorAnswer(new GatewayError(502, 'api_error', 'upstream_error', 'm'), answer);
    expect(err).toMatchObject({ status: 418, code: 'upstream_error' });
    expect(providerAnswerOf(new GatewayError(418, 'api_error', 'upstream_error', 'm', { cause: err }))).toBe(answer);
    expect(providerAnswerOf(new GatewayError(400, 'invalid_request_error', 'x', 'm'))).toBeNull();
  });
});
