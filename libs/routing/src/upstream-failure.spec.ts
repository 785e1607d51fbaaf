import { classifyFailure, isRetryable, allowsFallback, scrub, toGatewayError } from './upstream-failure';

const SECRET = 'sk-live-Ab3/De+Fg9hIjKlMnOpQrStUv';

describe('scrub', () => {
  it('removes the secret as sent, URL-encoded, and base64 at every alignment and in both alphabets', () => {
    const echoes = [
      `key ${SECRET} is invalid`,
      `url ?key=${encodeURIComponent(SECRET)}&x=1`,
      `basic ${Buffer.from(`user:${SECRET}`).toString('base64')}`,
      `basic ${Buffer.from(`u:${SECRET}`).toString('base64')}`,
      `basic ${Buffer.from(`:${SECRET}`).toString('base64')}`,
      `token ${Buffer.from(SECRET).toString('base64url')}`,
      `token ${Buffer.from(`xy${SECRET}tail`).toString('base64url')}`,
    ];
    for (const echo of echoes) {
      const out = scrub(echo, [SECRET]);
      expect(out).toContain('[redacted]');
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain(encodeURIComponent(SECRET));
      // Decoding whatever base64 is left never gives the secret back.
      for (const word of out.split(/[\s=&?]+/)) {
        expect(Buffer.from(word, 'base64').toString('latin1')).not.toContain(SECRET.slice(0, 12));
      }
    }
  });

  it('leaves a message without the secret alone', () => {
    expect(scrub('model not found', [SECRET])).toBe('model not found');
  });
});

describe('classifyFailure', () => {
  it('takes a stack overflow while building the request as the client error it is: no retry, no fallback, 400', () => {
    const f = classifyFailure(new RangeError('Maximum call stack size exceeded'));
    expect(isRetryable(f)).toBe(false);
    expect(allowsFallback(f)).toBe(false);
    expect(toGatewayError(f, 'openai').status).toBe(400);
  });
});
