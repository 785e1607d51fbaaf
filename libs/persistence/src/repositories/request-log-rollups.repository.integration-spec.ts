import { createTestEnvironment, insertProjectRow, requestLogFixture, type TestEnvironment } from '@switchyard/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source';
import { RequestLogHourlyRollups1796525601291 } from '../migrations/1796525601291-request-log-hourly-rollups';
import { RequestLogDimensionHourlyRollups1796535624069 } from '../migrations/1796535624069-request-log-dimension-hourly-rollups';
import { RequestLogDimensionDailyRollups1796560000000 } from '../migrations/1796560000000-request-log-dimension-daily-rollups';
import { histogramSumSql, LATENCY_BOUNDS_MS } from './latency-histogram';
import { RequestLogRollupsRepository, type AnalyticsQuery } from './request-log-rollups.repository';
import { RequestLogsRepository } from './request-logs.repository';

const T0 = Date.UTC(2026, 10, 3, 0, 0, 0);
const MIN = 60_000;

describe('RequestLogRollupsRepository (hourly and minute rollups)', () => {
  let env: TestEnvironment;
  let ds: DataSource;
  let project: { id: string; org: string };
  let rollups: RequestLogRollupsRepository;
  type Fixture = ReturnType<typeof requestLogFixture>;
  let records: Fixture[];

  beforeAll(async () => {
    env = await createTestEnvironment();
    ds = await createDataSource(env.config, 'rollups-test').initialize();
    rollups = new RequestLogRollupsRepository(ds);
    project = await insertProjectRow(ds);
    // 300 logs 7 minutes apart (35 hours), three models, two teams, four customers and none, varied cost, duration
    // and success; written in 3 batches.
    records = Array.from({ length: 300 }, (_, i) =>
      requestLogFixture(project, {
        createdAt: new Date(T0 + i * 7 * MIN).toISOString(), model: ['a', 'b', 'c'][i % 3]!, success: i % 11 !== 0,
        customerIdentifier: i % 5 ? `c${i % 4}` : null, cost: i % 13 ? i / 1000 : null, durationMs: 50 + ((i * 37) % 900), metadata: { team: i % 2 ? 'x' : 'y' },
      }),
    );
    const logs = new RequestLogsRepository(ds);
    for (let i = 0; i < 3; i++) await logs.insertJson(JSON.stringify(records.slice(i * 100, (i + 1) * 100)));
  }, 60_000);

  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  it('keeps the hourly rows equal to the minute rows summed per hour (measures and histograms), for dimensions and metadata', async () => {
    const derived = (table: string, keys: string) => `
      SELECT project_id, date_trunc('hour', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, ${keys}, sum(requests) AS requests, sum(errors) AS errors,
        sum(cost) AS cost, sum(tokens_output) AS tokens_output, sum(duration_ms) AS duration_ms,
        ${histogramSumSql('duration_hist')} AS duration_hist
      FROM ${table} WHERE project_id = $1 GROUP BY project_id, 2, ${keys}`;
    const hourly = (table: string, keys: string) =>
      `SELECT project_id, bucket, ${keys}, requests, errors, cost, tokens_output, duration_ms, duration_hist FROM ${table} WHERE project_id = $1`;
    for (const [minute, hour, keys] of [
      ['request_log_rollups', 'request_log_hourly_rollups', 'model, provider'],
      ['request_log_metadata_rollups', 'request_log_metadata_hourly_rollups', 'key, value'],
    ] as const) {
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM ${hour} WHERE project_id = $1`, [project.id]);
      expect(n).toBeGreaterThan(35);
      const diff = await ds.query(`(${derived(minute, keys)} EXCEPT ${hourly(hour, keys)}) UNION ALL (${hourly(hour, keys)} EXCEPT ${derived(minute, keys)})`, [project.id]);
      expect(diff).toEqual([]);
    }
    // The key and customer hourly rows: the minute rows summed per hour and key (or customer).
    for (const dimension of ['key_id', 'customer_identifier']) {
      const minutes = `SELECT project_id, bucket, '${dimension}' AS dimension, ${dimension} AS value, requests, errors, cost, tokens_output, duration_ms,
        duration_hist FROM request_log_rollups`;
      const hours = `SELECT * FROM request_log_dimension_hourly_rollups WHERE dimension = '${dimension}'`;
      const [{ n }] = await ds.query(`SELECT count(DISTINCT value)::int AS n FROM (${hours}) h WHERE project_id = $1`, [project.id]);
      expect(n).toBe(dimension === 'key_id' ? 1 : 5);
      const diff = await ds.query(
        `(${derived(`(${minutes}) m`, 'dimension, value')} EXCEPT ${hourly(`(${hours}) h`, 'dimension, value')})
         UNION ALL (${hourly(`(${hours}) h`, 'dimension, value')} EXCEPT ${derived(`(${minutes}) m`, 'dimension, value')})`,
        [project.id],
      );
      expect(diff).toEqual([]);
      // The daily rows: the hourly ones summed per UTC day.
      const days = `SELECT * FROM request_log_dimension_daily_rollups WHERE dimension = '${dimension}'`;
      const daily = `SELECT project_id, date_trunc('day', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket, dimension, value, sum(requests) AS requests,
        sum(errors) AS errors, sum(cost) AS cost, sum(tokens_output) AS tokens_output, sum(duration_ms) AS duration_ms, ${histogramSumSql('duration_hist')} AS duration_hist
        FROM (${hours}) h WHERE project_id = $1 GROUP BY project_id, 2, dimension, value`;
      const [{ d }] = await ds.query(`SELECT count(DISTINCT bucket)::int AS d FROM (${days}) x WHERE project_id = $1`, [project.id]);
      expect(d).toBe(2);
      const dayDiff = await ds.query(`(${daily} EXCEPT ${hourly(`(${days}) x`, 'dimension, value')}) UNION ALL (${hourly(`(${days}) x`, 'dimension, value')} EXCEPT ${daily})`, [project.id]);
      expect(dayDiff).toEqual([]);
    }
  });

  it('fills the hourly and daily rows from the minute rows on migration exactly as the writer keeps them', async () => {
    const snapshot = async () => [
      ...(await ds.query(`SELECT * FROM request_log_hourly_rollups WHERE project_id = $1 ORDER BY bucket, model, provider`, [project.id])),
      ...(await ds.query(`SELECT * FROM request_log_metadata_hourly_rollups WHERE project_id = $1 ORDER BY key, bucket, value`, [project.id])),
      ...(await ds.query(`SELECT * FROM request_log_dimension_hourly_rollups WHERE project_id = $1 ORDER BY dimension, bucket, value`, [project.id])),
      ...(await ds.query(`SELECT * FROM request_log_dimension_daily_rollups WHERE project_id = $1 ORDER BY dimension, bucket, value`, [project.id])),
    ];
    const written = await snapshot();
    expect(written.some((r: { dimension?: string }) => r.dimension === 'customer_identifier')).toBe(true);
    const runner = ds.createQueryRunner();
    try {
      const migrations = [new RequestLogHourlyRollups1796525601291(), new RequestLogDimensionHourlyRollups1796535624069(), new RequestLogDimensionDailyRollups1796560000000()];
      for (const m of [...migrations].reverse()) await m.down(runner);
      for (const m of migrations) await m.up(runner);
    } finally {
      await runner.release();
    }
    expect(await snapshot()).toEqual(written);
  });

  it('merges a batch into existing rollup rows bucket by bucket, and into a row written before the histograms (null) as its own', async () => {
    const other = await insertProjectRow(ds);
    const at = (min: number, durationMs: number) =>
      requestLogFixture(other, { createdAt: new Date(T0 + min * MIN).toISOString(), model: 'm', customerIdentifier: 'c', durationMs, ttfbMs: null, metadata: {} });
    const logs = new RequestLogsRepository(ds);
    const hist = async () =>
      ((await ds.query(`SELECT duration_hist::text AS d, ttfb_hist::text AS t FROM request_log_rollups WHERE project_id = $1`, [other.id])) as { d: string; t: string }[])[0]!;
    const counts = (d: string) => JSON.parse(d.replace(/^\{/, '[').replace(/\}$/, ']')) as number[];
    await logs.insertJson(JSON.stringify([at(0, 5), at(0.1, 5), at(0.2, 700)]));
    await logs.insertJson(JSON.stringify([at(0.3, 5), at(0.4, 9000)]));
    const both = counts((await hist()).d);
    expect(both.reduce((a, n) => a + n, 0)).toBe(5);
    expect(both.filter((n) => n > 0)).toEqual([3, 1, 1]); // 5 ms three times, 700 ms, 9,000 ms
    expect(counts((await hist()).t).every((n) => n === 0)).toBe(true); // no first byte: counted nowhere
    await ds.query(`UPDATE request_log_rollups SET duration_hist = NULL, ttfb_hist = NULL WHERE project_id = $1`, [other.id]);
    await logs.insertJson(JSON.stringify([at(0.5, 700)]));
    expect(counts((await hist()).d).filter((n) => n > 0)).toEqual([1]);
  });

  it.each([
    ['partial hours at both ends', T0 + 2 * 60 * MIN + 17 * MIN, T0 + 30 * 60 * MIN + 23 * MIN],
    ['a whole day, then a partial day ending in a partial hour', T0, T0 + 30 * 60 * MIN + 23 * MIN],
    ['a partial day starting in a partial hour, then a whole day', T0 - 13 * 60 * MIN - 5 * MIN, T0 + 24 * 60 * MIN],
  ])('answers a range with %s exactly as the logs in it add up, per hour and per day', async (_, fromMs, toMs) => {
    const [from, to] = [new Date(fromMs), new Date(toMs)];
    const inRange = records.filter((r) => Date.parse(r.createdAt) >= from.getTime() && Date.parse(r.createdAt) < to.getTime());
    for (const interval of ['hour', 'day'] as const) {
      for (const groupBy of ['model', { metadata: 'team' }, 'customer', 'key', undefined] as AnalyticsQuery['groupBy'][]) {
        const rows = await rollups.summary(project.id, { interval, groupBy, from, to });
        const expected = new Map<string, { requests: number; errors: number; cost: number }>();
        for (const r of inRange) {
          const bucket = new Date(Date.parse(r.createdAt) - (Date.parse(r.createdAt) % (interval === 'hour' ? 60 * MIN : 1440 * MIN))).toISOString();
          const group = typeof groupBy === 'object' ? (r.metadata as { team: string }).team : groupBy === 'model' ? r.model : groupBy === 'customer' ? r.customerIdentifier : groupBy === 'key' ? r.keyId : null;
          const key = `${bucket}|${group}`;
          const e = expected.get(key) ?? { requests: 0, errors: 0, cost: 0 };
          expected.set(key, { requests: e.requests + 1, errors: e.errors + (r.success ? 0 : 1), cost: e.cost + (r.cost ?? 0) });
        }
        const got = new Map(rows.map((r) => [`${r.bucket.toISOString()}|${r.group}`, { requests: Number(r.requests), errors: Number(r.errors), cost: Number(r.cost) }]));
        expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [key, e] of expected) {
          expect(got.get(key)).toEqual({ requests: e.requests, errors: e.errors, cost: expect.closeTo(e.cost, 9) });
        }
        const histTotal = rows.reduce((a, r) => a + r.duration_hist!.reduce((b, n) => b + Number(n), 0), 0);
        expect(histTotal).toBe(inRange.length);
      }
    }
  });

  it('answers a day series by key or customer from the daily rows exactly as its hours summed per day (every measure and histogram bucket)', async () => {
    const [from, to] = [new Date(T0 - 5 * 60 * MIN - 17 * MIN), new Date(T0 + 34 * 60 * MIN + 41 * MIN)];
    type Row = Awaited<ReturnType<RequestLogRollupsRepository['summary']>>[number];
    const exact = (r: Row) => ({ ...r, bucket: r.bucket.toISOString(), cost: Number(r.cost) });
    for (const groupBy of ['customer', 'key'] as const) {
      const days = (await rollups.summary(project.id, { interval: 'day', groupBy, from, to })).map(exact);
      const perDay = new Map<string, ReturnType<typeof exact>>();
      for (const h of (await rollups.summary(project.id, { interval: 'hour', groupBy, from, to })).map(exact)) {
        const key = `${h.bucket.slice(0, 10)}|${h.group}`;
        const d = perDay.get(key);
        const add = (a: string, b: string) => String(Number(a) + Number(b));
        perDay.set(key, !d ? { ...h, bucket: `${h.bucket.slice(0, 10)}T00:00:00.000Z` } : {
          ...d, ...Object.fromEntries((['requests', 'errors', 'cached', 'tokens_input', 'tokens_cache_read', 'tokens_cache_write', 'tokens_reasoning', 'tokens_output', 'duration_ms'] as const).map((c) => [c, add(d[c], h[c])])),
          cost: d.cost + h.cost, duration_hist: d.duration_hist!.map((n, i) => add(n, h.duration_hist![i]!)), ttfb_hist: d.ttfb_hist!.map((n, i) => add(n, h.ttfb_hist![i]!)),
        });
      }
      expect(days.length).toBe(groupBy === 'customer' ? 10 : 2); // 2 days, 4 customers and none
      const byKey = <T extends { bucket: string; group: string | null }>(rows: T[]) => new Map(rows.map((r) => [`${r.bucket.slice(0, 10)}|${r.group}`, r]));
      expect(byKey(days)).toEqual(byKey([...perDay.values()].map((d) => ({ ...d, cost: expect.closeTo(d.cost, 9) }))));
    }
  });

  it('sums large histogram counts exactly and counts a row without histograms (null) as zeros, across hour and day boundaries', async () => {
    const other = await insertProjectRow(ds);
    const big = 2 ** 40 + 1; // float8 sums stay exact below 2^53
    const hist = (n: number) => `ARRAY[${n}, ${Array.from({ length: LATENCY_BOUNDS_MS.length }, (_, i) => i).join(', ')}]::bigint[]`;
    const insert = async (table: string, bucket: number, durationHist: string) => {
      await ds.query(
        `INSERT INTO ${table} (project_id, dimension, bucket, value, requests, errors, cached, tokens_input, tokens_cache_read, tokens_cache_write,
           tokens_reasoning, tokens_output, cost, duration_ms, duration_hist, ttfb_hist)
         VALUES ($1, 'customer_identifier', $2, 'c', ${big}, 0, 0, 0, 0, 0, 0, 0, 0, 0, ${durationHist}, NULL)`,
        [other.id, new Date(bucket)],
      );
    };
    const HOUR = 60 * MIN;
    // The day before T0 from its 23:00 hour, the day of T0 as a daily row, the next day's first hour: read as hours, day, hours.
    await insert('request_log_dimension_hourly_rollups', T0 - HOUR, hist(big));
    await insert('request_log_dimension_daily_rollups', T0, hist(big));
    await insert('request_log_dimension_hourly_rollups', T0 + 24 * HOUR, 'NULL');
    const rows = await rollups.summary(other.id, { interval: 'day', groupBy: 'customer', from: new Date(T0 - HOUR), to: new Date(T0 + 25 * HOUR) });
    expect(rows.map((r) => [r.bucket.toISOString(), r.requests, r.duration_hist![0], r.duration_hist![53], r.ttfb_hist!.every((n) => n === '0')])).toEqual([
      [new Date(T0 - 24 * HOUR).toISOString(), String(big), String(big), '52', true],
      [new Date(T0).toISOString(), String(big), String(big), '52', true],
      [new Date(T0 + 24 * HOUR).toISOString(), String(big), '0', '0', true],
    ]);
  });
});
