/**
 * The fixed-bucket latency histograms of the request log rollups (`duration_hist`, `ttfb_hist`): bucket 1 counts
 * values under LATENCY_BOUNDS_MS[0] ms, bucket i+1 values from LATENCY_BOUNDS_MS[i-1] up to LATENCY_BOUNDS_MS[i],
 * the last one values from the last bound up (PostgreSQL `width_bucket(ms, bounds) + 1` as a 1-based index). About 12 % wide each
 * way, so a percentile read from them is within that of the exact one. Never change these bounds in place: the
 * stored histograms are counted with them (a new layout is a new column and a new migration).
 */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 120, 150, 200, 250, 300, 400, 500, 600, 800, 1_000, 1_200,
  1_500, 2_000, 2_500, 3_000, 4_000, 5_000, 6_000, 8_000, 10_000, 12_000, 15_000, 20_000, 25_000, 30_000, 40_000, 50_000, 60_000,
  80_000, 100_000, 120_000, 150_000, 200_000, 300_000, 600_000,
];

/** SQL: the histogram bucket (0-based) of a value in ms, null for null (`width_bucket` against the bounds). */
export const histogramBucketSql = (ms: string): string => `width_bucket(${ms}, '{${LATENCY_BOUNDS_MS.join(',')}}'::integer[])`;

/**
 * SQL aggregates: the histogram (bigint[]) of the rows whose bucket (`histogramBucketSql`) is in `bucket`, one
 * filtered count per bucket: built-in aggregates only, no function call per row.
 */
export const histogramCountsSql = (bucket: string): string =>
  `ARRAY[${Array.from({ length: LATENCY_BOUNDS_MS.length + 1 }, (_, i) => `count(*) FILTER (WHERE ${bucket} = ${i})`).join(', ')}]::bigint[]`;

/** SQL aggregates: the element-wise sum of the histograms in column `hist` (built-in `sum` per bucket; null buckets count 0). */
export const histogramSumSql = (hist: string): string =>
  `ARRAY[${Array.from({ length: LATENCY_BOUNDS_MS.length + 1 }, (_, i) => `COALESCE(sum(${hist}[${i + 1}]), 0)`).join(', ')}]::bigint[]`;

/**
 * SQL aggregates: the same sums as histogramSumSql, each bucket summed as float8, for reads over many rows. Exact:
 * every count and partial sum is an integer below 2^53 (far more requests than a rollup can count), which float8
 * adds without rounding. About 2x less CPU than `sum(bigint)`, whose int128 state is serialized between parallel
 * workers and finalized as numeric, 108 times per group.
 */
export const histogramReadSumSql = (hist: string): string =>
  `ARRAY[${Array.from({ length: LATENCY_BOUNDS_MS.length + 1 }, (_, i) => `COALESCE(sum(${hist}[${i + 1}]::float8), 0)`).join(', ')}]::bigint[]`;

/** A histogram as PostgreSQL writes a bigint[] as text (`{3,0,1}`) -> its counts as text: about 20x less CPU than pg's array parser. */
export const histogramFromText = (text: string): string[] => (text === '{}' ? [] : text.slice(1, -1).split(','));

/**
 * SQL: the element-wise sum of the histograms `a` and `b` (either alone when the other is null: a rollup row written
 * before the histograms existed), as one expression: about 4x less CPU per merged row than a call of the plpgsql
 * `request_log_hist_add` (7 vs 26 µs measured), which the writer's upserts paid twice per rollup row.
 */
export const histogramAddSql = (a: string, b: string): string =>
  `CASE WHEN ${a} IS NULL THEN ${b} WHEN ${b} IS NULL THEN ${a} ELSE ARRAY[${Array.from({ length: LATENCY_BOUNDS_MS.length + 1 }, (_, i) => `${a}[${i + 1}] + ${b}[${i + 1}]`).join(', ')}]::bigint[] END`;

/**
 * The `p` quantile (0-1) of the values a histogram counted (`counts[i]`: bucket i+1 as above), interpolated
 * linearly inside its bucket; null when it counted nothing. Values past the last bound read as the last bound.
 */
export function histogramQuantile(counts: readonly number[], p: number): number | null {
  const total = counts.reduce((a, n) => a + n, 0);
  if (!total) return null;
  const rank = p * total;
  let below = 0;
  for (let i = 0; i < counts.length; i += 1) {
    const n = counts[i]!;
    if (n && below + n >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const upper = LATENCY_BOUNDS_MS[i] ?? lower;
      return Math.round((lower + ((upper - lower) * (rank - below)) / n) * 10) / 10;
    }
    below += n;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]!;
}
