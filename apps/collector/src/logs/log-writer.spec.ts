import { chunkBySize, daysAhead } from './log-writer';

describe('log writer helpers', () => {
  it('cuts JSON arrays into statements of about a size, an oversized array alone', () => {
    expect(chunkBySize(['[1]', '[22]', '[333]', '[4444444444]', '[5]'], 10)).toEqual([['[1]', '[22]'], ['[333]'], ['[4444444444]'], ['[5]']]);
    expect(chunkBySize([], 10)).toEqual([]);
    const bytes = [Buffer.from('[1]'), Buffer.from('[22]'), Buffer.from('[333]')];
    expect(chunkBySize(bytes, 7)).toEqual([[bytes[0], bytes[1]], [bytes[2]]]);
  });

  it('names the UTC days ahead, across a month end', () => {
    expect(daysAhead(Date.UTC(2026, 0, 30, 23, 59), 2)).toEqual(['2026-01-30', '2026-01-31', '2026-02-01']);
  });
});
