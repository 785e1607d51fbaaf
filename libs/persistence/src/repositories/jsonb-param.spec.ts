import { jsonbArrayParam } from './jsonb-param';

const text = (b: Buffer) => b.subarray(1).toString();

describe('jsonbArrayParam', () => {
  it('joins JSON arrays into one, in jsonb binary format (version byte 1, then the text)', () => {
    const out = jsonbArrayParam([Buffer.from('[{"a":1},{"b":"é"}]'), Buffer.from(' [ ] '), Buffer.from('\n[ {"c":[2,3]} ]\n')]);
    expect(out[0]).toBe(1);
    expect(JSON.parse(text(out))).toEqual([{ a: 1 }, { b: 'é' }, { c: [2, 3] }]);
  });

  it('makes an empty array of no arrays or empty ones', () => {
    expect(text(jsonbArrayParam([]))).toBe('[]');
    expect(text(jsonbArrayParam([Buffer.from('[]'), Buffer.from('[ ]')]))).toBe('[]');
  });
});
