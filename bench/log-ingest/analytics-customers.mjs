#!/usr/bin/env node
// The 30-day analytics by day and customer over the rollup rows of 10 M logs, without the logs: against the built
// collector (dist) and a fresh migrated database, one project gets --customers x 721 hourly customer rows (the
// hours of 30 days and the one a range not on the hour touches), their hourly key rows, 3 models' hourly rows, and
// the daily customer and key rows summed from the hourly ones as their migration fills them; histograms of about
// --per-row requests per row spread over 10 buckets.
// Prints, over --queries rounds (alternated, one of each per round, so machine load hits all alike):
//  - `GET /v1/analytics?interval=day&group_by=customer` over the last 30 days (HTTP, p50/p95/max), and the
//    repository call it makes (RequestLogRollupsRepository.summary, in this process);
//  - its SQL (RequestLogRollupsRepository.summary) by EXPLAIN ANALYZE, as it reads now (daily rows for the whole
//    days, hourly for the partial ones, float8 sums of the histograms, no parallel workers) and with each of those
//    undone (the daily rows' part read from the hourly rows, bigint sums, parallel workers allowed; all three: the
//    query before), every variant checked to answer the same rows: execution time and PostgreSQL backend CPU
//    (`/proc/<pid>/schedstat`, the leader's: parallel workers' CPU is not counted) per query, p50/p95.
//
//   node bench/log-ingest/analytics-customers.mjs [--customers 100] [--per-row 139] [--queries 30] [--explain true]
//     --explain true: also prints each variant's plan (of the first round)
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { benchDatabase, freePort, load, parseArgs, post, processCpu, REDIS_URL, root, startService } from '../common.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { Redis } = require('ioredis');
const { createDataSource, RequestLogRollupsRepository, LATENCY_BOUNDS_MS } = require(resolve(root, 'dist/libs/persistence/src/index.js'));
const { MEASURE_COLUMNS, SUMS } = require(resolve(root, 'dist/libs/persistence/src/migrations/1796525601291-request-log-hourly-rollups.js'));

const args = parseArgs();
const CUSTOMERS = Number(args.customers ?? 100);
const PER_ROW = Number(args['per-row'] ?? 139); // 10 M logs / 30 days / 24 h / 100 customers
const QUERIES = Number(args.queries ?? 30);
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const summary = (xs, unit = 'ms') => `p50 ${pct(xs, 50).toFixed(1)}  p95 ${pct(xs, 95).toFixed(1)}  max ${Math.max(...xs).toFixed(1)} ${unit}`;

/** SQL: a histogram of about PER_ROW values over 10 buckets from bucket `first` on, varied by `seed` (an SQL integer). */
const histSql = (first, seed) =>
  `(SELECT array_agg(CASE WHEN b BETWEEN ${first} AND ${first + 9} THEN ${Math.floor(PER_ROW / 10) - 1} + (b * 7 + ${seed}) % 3 ELSE 0 END ORDER BY b)
    FROM generate_series(0, ${LATENCY_BOUNDS_MS.length}) b)::bigint[]`;

/** The hourly rows of one project for the hours [first, last] (customer, key and model rows), then the daily rows from them. */
async function generateRollups(db, project, first, last) {
  const hours = `generate_series($2::timestamptz, $3::timestamptz, interval '1 hour') h`;
  const measures = (n) => `${n}, ${n} / 20, 0, ${n} * 120, 0, 0, 0, ${n} * 42, ${n} * 0.00004, ${n} * 300`;
  await db.query(
    `INSERT INTO request_log_dimension_hourly_rollups (project_id, dimension, bucket, value, ${MEASURE_COLUMNS})
     SELECT $1, 'customer_identifier', h, 'c' || c, ${measures(PER_ROW)}, ${histSql(17, 'c')}, ${histSql(12, 'c')}
     FROM ${hours}, generate_series(0, $4 - 1) c`,
    [project, first, last, CUSTOMERS],
  );
  const total = PER_ROW * CUSTOMERS;
  await db.query(
    `INSERT INTO request_log_dimension_hourly_rollups (project_id, dimension, bucket, value, ${MEASURE_COLUMNS})
     SELECT $1, 'key_id', h, '', ${measures(total)}, ${histSql(17, 0)}, ${histSql(12, 0)} FROM ${hours}`,
    [project, first, last],
  );
  await db.query(
    `INSERT INTO request_log_hourly_rollups (project_id, bucket, model, provider, ${MEASURE_COLUMNS})
     SELECT $1, h, m, 'openai', ${measures(Math.round(total / 3))}, ${histSql(17, 'length(m)')}, ${histSql(12, 'length(m)')}
     FROM ${hours}, unnest(ARRAY['gpt-4o-mini', 'gpt-4o', 'claude-3-5-haiku']) m`,
    [project, first, last],
  );
  // As migration 1796560000000 fills them (the writer keeps them equal: request-log-rollups.repository.integration-spec.ts).
  await db.query(
    `INSERT INTO request_log_dimension_daily_rollups (project_id, dimension, bucket, value, ${MEASURE_COLUMNS})
     SELECT project_id, dimension, date_trunc('day', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', value, ${SUMS}
     FROM request_log_dimension_hourly_rollups WHERE project_id = $1 GROUP BY 1, 2, 3, 4`,
    [project],
  );
  await db.query('ANALYZE request_log_dimension_hourly_rollups, request_log_dimension_daily_rollups, request_log_hourly_rollups');
  const counts = await db.query(
    `SELECT (SELECT count(*) FROM request_log_dimension_hourly_rollups WHERE dimension = 'customer_identifier') AS hourly,
       (SELECT count(*) FROM request_log_dimension_daily_rollups WHERE dimension = 'customer_identifier') AS daily`,
  );
  return counts.rows[0];
}

/** The statements RequestLogRollupsRepository.summary sends for `q` (captured, not run): `settings` (SET LOCAL), then `sql`. */
async function summarySql(project, q) {
  const sent = [];
  const ds = { query: async (sql, params) => (sent.push({ sql, params }), []), transaction: (fn) => fn(ds) };
  await new RequestLogRollupsRepository(ds).summary(project, q);
  const { sql, params } = sent.at(-1);
  return { settings: sent.slice(0, -1).map((s) => s.sql), sql, params };
}

/**
 * The query as it reads now, and as it would with parts of this change undone: hourly rows instead of the daily
 * ones, bigint sums of the histograms instead of float8 ones, parallel workers allowed (all three: the query before).
 */
function variants(now) {
  const hourly = (v) => ({ ...v, sql: v.sql.replace('FROM request_log_dimension_daily_rollups', 'FROM request_log_dimension_hourly_rollups') });
  const bigint = (v) => ({ ...v, sql: v.sql.replaceAll('::float8), 0)', '), 0)') });
  const parallel = (v) => ({ ...v, settings: [] });
  return {
    'daily rows, float8 sums, no parallel workers (now)': now,
    'daily rows, bigint sums, parallel workers': parallel(bigint(now)),
    'hourly rows, float8 sums, no parallel workers': hourly(now),
    'hourly rows, bigint sums, parallel workers (before)': parallel(bigint(hourly(now))),
  };
}

/** EXPLAIN ANALYZE of a variant on `db` (backend `pid`), in a transaction with its settings: execution time, backend CPU ms, plan. */
async function measure(db, pid, { settings, sql, params }) {
  await db.query('BEGIN');
  for (const s of settings) await db.query(s);
  const cpu0 = processCpu(pid);
  const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
  const cpu = processCpu(pid) - cpu0;
  await db.query('COMMIT');
  const exec = Number(/Execution Time: ([\d.]+)/.exec(plan.rows.at(-1)['QUERY PLAN'])[1]);
  return { exec, cpu, plan: plan.rows.map((r) => r['QUERY PLAN']) };
}

async function main() {
  const { env, drop } = await benchDatabase('sy_bench_custan', 'bench-custan');
  const db = new Client({ connectionString: env.DATABASE_URL });
  const procs = [];
  try {
    await db.connect();
    const router = await startService('router', env, await freePort());
    const org = await post(`${router.url}/v1/admin/organizations`, env.GATEWAY_ADMIN_TOKEN, { name: 'bench' });
    const key = await post(`${router.url}/v1/admin/access-keys`, env.GATEWAY_ADMIN_TOKEN, { organization_id: org.id, project_id: org.default_project_id, name: 'bench' });
    router.child.kill('SIGTERM');
    const project = org.default_project_id;
    const to = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const from = new Date(to.getTime() - 30 * DAY_MS);
    const rows = await generateRollups(db, project, new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS), new Date(Math.floor(to.getTime() / HOUR_MS) * HOUR_MS));
    console.log(`analytics-customers: ${rows.hourly} hourly and ${rows.daily} daily customer rows (${CUSTOMERS} customers, ${PER_ROW} requests per hourly row); load average ${load()} at start`);

    const all = variants(await summarySql(project, { interval: 'day', groupBy: 'customer', from, to }));
    const [{ pid }] = (await db.query('SELECT pg_backend_pid() AS pid')).rows;
    const results = [];
    for (const v of Object.values(all)) results.push(JSON.stringify((await db.query(v.sql, v.params)).rows));
    if (results.some((r) => r !== results[0])) throw new Error('the variants do not answer the same');
    console.log(`  ${JSON.parse(results[0]).length} result rows, the same from every variant`);

    const collector = await startService('collector', env, await freePort());
    procs.push(collector.child);
    const url = `${collector.url}/v1/analytics?interval=day&group_by=customer&from=${from.toISOString()}&to=${to.toISOString()}`;
    const headers = { authorization: `Bearer ${key.key}` };
    const ds = await createDataSource({ database: { url: env.DATABASE_URL, poolSize: 1 } }).initialize();
    const repository = new RequestLogRollupsRepository(ds);
    const [http, direct] = [[], []];
    const runs = Object.fromEntries(Object.keys(all).map((name) => [name, []]));
    for (let i = 0; i < QUERIES; i++) {
      const t = performance.now();
      const res = await fetch(url, { headers });
      if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      http.push(performance.now() - t);
      const t1 = performance.now();
      await repository.summary(project, { interval: 'day', groupBy: 'customer', from, to });
      direct.push(performance.now() - t1);
      for (const [name, v] of Object.entries(all)) runs[name].push(await measure(db, pid, v));
    }
    await ds.destroy();
    console.log(`  HTTP GET /v1/analytics 30 days by day and customer: ${summary(http)}`);
    console.log(`  RequestLogRollupsRepository.summary (its SQL and the rows parsed, in this process): ${summary(direct)}`);
    for (const [name, r] of Object.entries(runs)) {
      console.log(`  SQL, ${name}: execution ${summary(r.map((x) => x.exec))}; backend CPU ${summary(r.map((x) => x.cpu))}`);
      if (args.explain === 'true') console.log(r[0].plan.map((l) => `    ${l}`).join('\n'));
    }
    console.log(`  load average ${load()} at the end`);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : null)));
    await db.end().catch(() => {});
    await drop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${env.REDIS_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
