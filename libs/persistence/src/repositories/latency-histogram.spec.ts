import { histogramFromText, histogramQuantile, LATENCY_BOUNDS_MS } from './latency-histogram';

/** The histogram PostgreSQL would count for these values (`width_bucket(v, bounds) + 1`, 1-based). */
function histogramOf(values: number[]): number[] {
  const counts = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
  for (const v of values) counts[LATENCY_BOUNDS_MS.filter((b) => b <= v).length]! += 1;
  return counts;
}

const exact = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.ceil(p * values.length) - 1]!;

describe('histogramQuantile', () => {
  it('is null for an empty histogram', () => {
    expect(histogramQuantile(histogramOf([]), 0.5)).toBeNull();
  });

  it('reads p50 and p95 within a bucket width (12 %) of the exact values', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => Math.round(20 + 2000 * ((i * 7919) % 10_000) ** 2 / 1e8));
    for (const p of [0.5, 0.95]) {
      const want = exact(values, p);
      expect(Math.abs(histogramQuantile(histogramOf(values), p)! - want) / want).toBeLessThan(0.12);
    }
  });

  it('interpolates inside a bucket and caps values past the last bound', () => {
    expect(histogramQuantile(histogramOf([100, 100, 100, 119]), 0.5)).toBe(110); // bucket [100, 120): half way
    expect(histogramQuantile(histogramOf([0, 0]), 0.95)).toBe(1); // 0.95 of [0, 1), to 0.1 ms
    expect(histogramQuantile(histogramOf([9_999_999]), 0.5)).toBe(600_000);
  });
});

describe('histogramFromText', () => {
  it('reads the counts of a bigint[] written as text, past the 2^53 of a JS number kept exact as text', () => {
    expect(histogramFromText('{3,0,9007199254740993}')).toEqual(['3', '0', '9007199254740993']);
    expect(histogramFromText('{}')).toEqual([]);
  });
});
