import { jsonDepthExceeds } from './json-depth';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe('jsonDepthExceeds', () => {
  it('accepts a body nested exactly to the limit and refuses one level more', () => {
    expect(jsonDepthExceeds(nested(8), 8)).toBe(false);
    expect(jsonDepthExceeds(nested(9), 8)).toBe(true);
    expect(jsonDepthExceeds(`{"a":${nested(9, '{"b":', '}').replace(/}+$/, '1' + '}'.repeat(9))}}`, 8)).toBe(true);
  });

  it('counts depth, not the number of brackets', () => {
    const wide = `[${Array.from({ length: 500 }, () => '[[1]]').join(',')}]`;
    expect(jsonDepthExceeds(wide, 3)).toBe(false);
    expect(jsonDepthExceeds(wide, 2)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ s: '[[[[[[[[[[{{{{{{{{"\\"[[[[[[[[[[', t: ['\\', '[[[['] });
    expect(jsonDepthExceeds(text, 2)).toBe(false);
  });

  it('handles 100,000 levels without recursion', () => {
    expect(jsonDepthExceeds(nested(100_000), 256)).toBe(true);
  });
});
