import { capBody, logBodies } from './log-bodies';

describe('log bodies', () => {
  it('keep a body under the cap whole, with its size in bytes', () => {
    expect(capBody('héllo', 100)).toEqual({ text: 'héllo', bytes: 6, truncated: false });
  });

  it('cut a body over the cap at a character boundary', () => {
    expect(capBody('abcdef', 4)).toEqual({ text: 'abcd', bytes: 6, truncated: true });
    // 'é' is two bytes: a cut inside it backs off before it.
    expect(capBody('aé', 2)).toEqual({ text: 'a', bytes: 3, truncated: true });
  });

  it('cap the request and the response apart and say whether either was cut', () => {
    expect(logBodies('{"a":1}', 'x'.repeat(20), 10)).toEqual({
      request: '{"a":1}',
      response: 'x'.repeat(10),
      requestContentType: 'application/json',
      responseContentType: 'application/json',
      requestBytes: 7,
      responseBytes: 20,
      truncated: true,
    });
    expect(logBodies('{}', null, 10)).toMatchObject({ response: null, responseBytes: 0, truncated: false });
  });
});
