import { spanChunks, streamIdOrdinal } from './span-writer';

const entry = (count: number, bytes: number) => ({ count, data: Buffer.alloc(bytes) });

describe('span writer helpers', () => {
  it('cuts a statement once it holds the span limit, and before an entry would pass the byte limit', () => {
    const e = [entry(3, 10), entry(3, 10), entry(1, 50), entry(1, 10), entry(1, 100), entry(1, 1)];
    const sizes = spanChunks(e, 5, 60).map((c) => c.map((b) => b.length));
    expect(sizes).toEqual([[10, 10], [50, 10], [100], [1]]);
    expect(spanChunks([], 5, 60)).toEqual([]);
  });

  it('orders stream ids as integers', () => {
    expect(BigInt(streamIdOrdinal('1700000000000-2'))).toBeGreaterThan(BigInt(streamIdOrdinal('1700000000000-1')));
  });
});
