import { analyticsQuery, byGroup, series, totals, type AnalyticsRow } from './analytics';

const row = (bucket: string, group: string, n: number, p95: number | null): AnalyticsRow => ({ bucket, group, requests: n, errors: 1, cached: 1, tokens_in: 10 * n, tokens_out: n, cost: 0.5 * n, p50_duration: p95 === null ? null : p95 / 2, p95_duration: p95 });

describe('overview analytics', () => {
  const rows = [row('2026-12-06T01:00:00.000Z', 'b', 2, 300), row('2026-12-06T00:00:00.000Z', 'a', 4, 100), row('2026-12-06T01:00:00.000Z', 'a', 1, null)];

  it('asks for the interval that fits the range', () => {
    const now = new Date('2026-12-06T12:00:00Z');
    expect(Object.fromEntries(new URLSearchParams(analyticsQuery('1h', '', now)))).toEqual({ interval: 'minute', from: '2026-12-06T11:00:00.000Z', to: '2026-12-06T12:00:00.000Z' });
    expect(new URLSearchParams(analyticsQuery('30d', 'model', now)).get('interval')).toBe('day');
    expect(new URLSearchParams(analyticsQuery('30d', 'model', now)).get('group_by')).toBe('model');
  });

  it('sums groups per bucket in time order, and totals per group', () => {
    expect(totals(rows)).toEqual({ requests: 7, errors: 3, cached: 3, tokens: 77, cost: 3.5 });
    expect(series(rows)).toEqual([
      { bucket: '2026-12-06T00:00:00.000Z', requests: 4, errors: 1, cached: 1, tokens: 44, cost: 2, p50: 50, p95: 100 },
      { bucket: '2026-12-06T01:00:00.000Z', requests: 3, errors: 2, cached: 2, tokens: 33, cost: 1.5, p50: 150, p95: 300 },
    ]);
    expect(byGroup(rows).map((g) => [g.group, g.requests])).toEqual([
      ['a', 5],
      ['b', 2],
    ]);
  });
});
