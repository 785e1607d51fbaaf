import { jsonbSafe } from './json';

describe('jsonbSafe', () => {
  it('replaces lone surrogates and NUL characters, in keys and values, by U+FFFD', () => {
    const json = JSON.stringify({ 'k\udc00': 'a\ud800b', nul: 'x\u0000y', low: '\udfff' });
    expect(JSON.parse(jsonbSafe(json))).toEqual({ 'k\ufffd': 'a\ufffdb', nul: 'x\ufffdy', low: '\ufffd' });
  });

  it('keeps surrogate pairs, other escapes and backslashes followed by u-text as they are', () => {
    const value = { emoji: '😀 \ud83d\ude00', control: '\u0001\u001b[0m\n\t"', literal: '\\ud800 \\u0000 \\\\ud800', mixed: '\\\ud800' };
    const json = JSON.stringify(value);
    const safe = jsonbSafe(json);
    expect(JSON.parse(safe)).toEqual({ ...value, mixed: '\\\ufffd' });
    expect(jsonbSafe(JSON.stringify({ a: 'plain' }))).toBe('{"a":"plain"}');
  });
});
