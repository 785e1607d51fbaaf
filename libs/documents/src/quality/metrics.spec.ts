import { characterErrorRate, editDistance, markdownTables, plainText, tableAccuracy, wordErrorRate } from './metrics';

describe('quality metrics', () => {
  it('edit distance counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance(['a', 'b'], ['a', 'b'])).toBe(0);
  });

  it('compares Markdown as running text: heading, list and table syntax do not count', () => {
    expect(plainText('# Title\n\n- one\n2. two\n\n| a | b |\n| --- | --- |\n| 1 | x\\|y |')).toBe('Title one 2. two a b 1 x|y');
    // the same words broken over lines or reflowed score the same
    expect(characterErrorRate('The total was 557. Then it rose.', 'The total was\n557. Then it rose.')).toBe(0);
    expect(characterErrorRate('# Hello world', 'Hello world')).toBe(0);
    expect(characterErrorRate('abcd', 'abed')).toBe(0.25);
    expect(wordErrorRate('the cat sat', 'the bat sat down')).toBeCloseTo(2 / 3);
  });

  it('table accuracy is the share of reference cells found at their row and column', () => {
    const ref = [
      ['Region', 'Sales', '', 'Share'],
      ['', 'Q1', 'Q2', '%'],
      ['North', '1', '2', '3.5'],
    ];
    const exact = '| Region | Sales |  | Share |\n| --- | --- | --- | --- |\n|  | Q1 | Q2 | % |\n| North | 1 | 2 | 3.5 |';
    expect(markdownTables(exact)).toEqual([ref]);
    expect(tableAccuracy(ref, `intro\n\n${exact}\n\nafter`)).toBe(1);
    // "Sales" shifted one column right: Sales misplaced, everything else in place.
    expect(tableAccuracy(ref, exact.replace('| Sales |  |', '|  | Sales |'))).toBeCloseTo(9 / 10);
    expect(tableAccuracy(ref, 'Region Sales Share')).toBe(0);
  });
});
