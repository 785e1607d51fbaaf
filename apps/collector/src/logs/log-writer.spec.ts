import { chunkBySize, daysAhead } from './log-writer';

describe('log writer helpers', () => {
  it('cuts items into statements of about a size, an oversized item alone', () => {
    const length = (a: { length: number }) => a.length;
    expect(chunkBySize(['[1]', '[22]', '[333]', '[4444444444]', '[5]'], 10, length)).toEqual([['[1]', '[22]'], ['[333]'], ['[4444444444]'], ['[5]']]);
    expect(chunkBySize([], 10, length)).toEqual([]);
    const bytes = [Buffer.from('[1]'), Buffer.from('[22]'), Buffer.from('[333]')];
    expect(chunkBySize(bytes, 7, length)).toEqual([[bytes[0], bytes[1]], [bytes[2]]]);
    const entries = [{ d: 3, b: 4 }, { d: 3, b: 0 }, { d: 3, b: 1 }];
    expect(chunkBySize(entries, 10, (e) => e.d + e.b)).toEqual([[entries[0], entries[1]], [entries[2]]]);
  });

  it('names the UTC days ahead, across a month end', () => {
    expect(daysAhead(Date.UTC(2026, 0, 30, 23, 59), 2)).toEqual(['2026-01-30', '2026-01-31', '2026-02-01']);
  });
});
