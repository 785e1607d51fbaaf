#!/usr/bin/env node
// Request log pipeline benchmark, against the built collector (dist) and a fresh database. Needs `npm run build`,
// PostgreSQL and Redis. Three phases, each printing its figures:
//  1. ingest: --ingest records (2 KB of bodies each, one record per stream entry as the router writes them through)
//     are XADDed straight into the log stream before the collector starts; then the collector's writer drains them:
//     records persisted per second (from the collector answering /healthz until all are in PostgreSQL), and its peak RSS.
//  2. lag: records XADDed at --rate per second for --duration seconds while the writer runs; the writer lag
//     (`collector_log_stream_oldest_age_seconds` on /metrics, sampled every 250 ms): p50/p95/max.
//  3. queries: --records logs stored with one INSERT ... SELECT generate_series over the last 30 days (rollups
//     built from them as the writer would), then `GET /v1/logs` of the last 24 h with one filter (model) and
//     `GET /v1/analytics` over 30 days by model: p50/p95 over --queries calls each.
//
//   node bench/log-ingest/run.mjs [--ingest 50000] [--rate 2000] [--duration 10] [--records 100000] [--queries 30]
//     [--bodies x|text|chat]  the records' bodies (records.mjs; default x)
//     [--with-spans 200000]   also runs `bench/collector-ingest/run.mjs --spans N` during the ingest phase, on its own
//                             collector (the span writer and the log writer sharing the machine)
//     [--explain]             prints the analytics query's plans over minute and hourly rollups and the listing's (EXPLAIN ANALYZE)
//     the issue's figures: --ingest 200000 --records 10000000 (the INSERT alone takes minutes; about 30 GB of disk)
//     [--database NAME]       keeps its database under NAME (created and migrated if missing, never dropped); when it
//                             already holds --records generated logs, phase 3 measures them without inserting again
//     [--skip-ingest true]    skips phases 1 and 2 (with --database: fill once, then measure the queries on a quiet machine)
//     [--cpu-prof DIR]        the collector runs with --cpu-prof (its V8 CPU profile written into DIR when it stops)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { backendCpu, benchDatabase, cpuSince, freePort, load, parseArgs, post, REDIS_URL, root, rssOf, startService, threadsCpu } from '../common.mjs';
import { logRecord } from './records.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { Redis } = require('ioredis');
// The SQL of the rollup histograms, as the writer and the analytics query build it (the built lib).
const { histogramBucketSql, histogramCountsSql, histogramSumSql } = require(resolve(root, 'dist/libs/persistence/src/repositories/latency-histogram.js'));

const args = parseArgs();
const INGEST = Number(args.ingest ?? 50_000);
const RATE = Number(args.rate ?? 2000);
const DURATION_S = Number(args.duration ?? 10);
const RECORDS = Number(args.records ?? 100_000);
const QUERIES = Number(args.queries ?? 30);
const WITH_SPANS = args['with-spans'] && args['with-spans'] !== 'true' ? Number(args['with-spans']) : args['with-spans'] === 'true' ? 200_000 : 0;
const DAY_MS = 86_400_000;
const BODIES = args.bodies ?? 'x';
const CPU_PROF = args['cpu-prof'];

const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** XADDs `n` records, one per entry, in pipelines of 500. */
async function xaddRecords(redis, stream, ids, from, n) {
  for (let i = 0; i < n; i += 500) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(n, i + 500); j++) p.xadd(stream, '*', 'd', `[${JSON.stringify(logRecord(ids, from + j, BODIES))}]`);
    await p.exec();
  }
}

const storedLogs = async (db) => Number((await db.query('SELECT count(*) AS n FROM request_logs')).rows[0].n);

async function lagOf(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^collector_log_stream_oldest_age_seconds\{[^}]*\} (\S+)$/m.exec(text)?.[1] ?? NaN);
}

/** Runs bench/collector-ingest alongside; resolves with its output. */
function spanBench(spans) {
  const child = spawn(process.execPath, [resolve(root, 'bench/collector-ingest/run.mjs'), '--spans', String(spans)], { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((r) => child.once('exit', () => r(out)));
}

async function timed(n, fn) {
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return `p50 ${pct(ms, 50).toFixed(1)}  p95 ${pct(ms, 95).toFixed(1)}  max ${Math.max(...ms).toFixed(1)} ms`;
}

async function main() {
  if (args.database && args['skip-ingest'] !== 'true') throw new Error('--database needs --skip-ingest true (the ingest phases count every stored log)');
  const { env, drop } = await benchDatabase('sy_bench_logs', 'bench-logs', { keep: args.database });
  const prefix = env.REDIS_PREFIX;
  const procs = [];
  const db = new Client({ connectionString: env.DATABASE_URL });
  const redis = new Redis(REDIS_URL);
  const stream = `${prefix}:logs`;
  try {
    await db.connect();
    // A kept database's generated logs (phase 3) belong to the organization that generated them.
    const [kept] = args.database
      ? (await db.query(`SELECT organization_id AS org, project_id AS project FROM request_logs WHERE request_id = 'gen-1'`)).rows
      : [];
    const router = await startService('router', env, await freePort());
    const org = kept
      ? { id: kept.org, default_project_id: kept.project }
      : await post(`${router.url}/v1/admin/organizations`, env.GATEWAY_ADMIN_TOKEN, { name: 'bench' });
    const key = await post(`${router.url}/v1/admin/access-keys`, env.GATEWAY_ADMIN_TOKEN, { organization_id: org.id, project_id: org.default_project_id, name: 'bench' });
    router.child.kill('SIGTERM');
    const ids = { org: org.id, project: org.default_project_id, key: key.id ?? null };
    console.log(`log-ingest: load average ${load()} at start; bodies ${BODIES}`);
    const generated = kept ? Number((await db.query(`SELECT count(*) AS n FROM request_logs WHERE request_id LIKE 'gen-%'`)).rows[0].n) : 0;
    const startCollector = async () => {
      const collector = await startService('collector', env, await freePort(), { nodeArgs: CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(CPU_PROF)}`] : [] });
      procs.push(collector.child);
      return collector;
    };
    const collector = args['skip-ingest'] === 'true' ? await startCollector() : await ingestAndLag(redis, stream, ids, db, startCollector);
    await queries(db, ids, key, collector, generated >= RECORDS);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.race([Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : null))), new Promise((r) => setTimeout(r, 10_000))]);
    await db.end().catch(() => {});
    await drop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}


/** Phases 1 and 2: the ingest of a backlog, then the writer's lag under a steady load. */
async function ingestAndLag(redis, stream, ids, db, startCollector) {
  // 1. ingest: a backlog of INGEST records, drained by a collector started after it is in place.
  await xaddRecords(redis, stream, ids, 0, INGEST);
  const spans = WITH_SPANS ? spanBench(WITH_SPANS) : null;
  const collector = await startCollector();
  const t0 = performance.now(); // from /healthz answering: the writer is starting
  const pg0 = await backendCpu(db);
  const collector0 = threadsCpu(collector.child.pid);
  let peakRss = 0;
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssOf(collector.child.pid))), 100);
  let stored = 0;
  while ((stored = await storedLogs(db)) < INGEST) await new Promise((r) => setTimeout(r, 100));
  const secs = (performance.now() - t0) / 1000;
  const pgMs = cpuSince(pg0, await backendCpu(db));
  const collectorMs = threadsCpu(collector.child.pid) - collector0;
  console.log(`  ingest     ${fmt(INGEST / secs)} records/s persisted (${stored} records with 2 KB bodies in ${secs.toFixed(2)} s from the collector's /healthz); collector peak RSS ${(peakRss / 1048576).toFixed(0)} MiB`);
  const perK = (ms) => `${(ms / 1000).toFixed(2)} s, ${((ms * 1000) / INGEST).toFixed(1)} ms per 1,000 records`;
  console.log(`             CPU: PostgreSQL (the collector's connections) ${perK(pgMs)}; the collector ${perK(collectorMs)} (load average ${load()})`);
  if (spans) console.log(`  spans alongside (bench/collector-ingest --spans ${WITH_SPANS}):\n${(await spans).replace(/^/gm, '    ')}`);

  // 2. lag under a steady load.
  const lags = [];
  let sent = 0;
  const t1 = performance.now();
  const sampler = setInterval(() => void lagOf(collector.url).then((l) => lags.push(l)), 250);
  while (performance.now() - t1 < DURATION_S * 1000) {
    const due = Math.floor(((performance.now() - t1) / 1000) * RATE);
    if (due > sent) {
      await xaddRecords(redis, stream, ids, INGEST + sent, due - sent);
      sent = due;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  clearInterval(sampler);
  while ((await storedLogs(db)) < INGEST + sent) await new Promise((r) => setTimeout(r, 100));
  const drained = (performance.now() - t1) / 1000 - DURATION_S;
  clearInterval(rssTimer);
  const finite = lags.filter(Number.isFinite);
  console.log(`  lag        at ${RATE} records/s for ${DURATION_S} s: writer lag p50 ${pct(finite, 50)?.toFixed(2)} p95 ${pct(finite, 95)?.toFixed(2)} max ${Math.max(...finite).toFixed(2)} s; drained ${drained.toFixed(2)} s after the load; peak RSS ${(peakRss / 1048576).toFixed(0)} MiB`);
  return collector;
}

/** Phase 3: RECORDS logs over the last 30 days (unless `stored`: a kept database holds them), then the queries. */
async function queries(db, ids, key, collector, stored) {
  const now = Date.now();
  if (!stored) await generateLogs(db, ids, now);
  const headers = { authorization: `Bearer ${key.key}` };
  const filters = encodeURIComponent(JSON.stringify([
    { key: 'created_at', operator: 'gt', value: [new Date(now - DAY_MS).toISOString()] },
    { key: 'model', operator: 'eq', value: ['gpt-4o'] },
  ]));
  const get = async (path) => {
    const res = await fetch(`${collector.url}${path}`, { headers });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  console.log(`  list 24 h  one filter (model), 50 per page: ${await timed(QUERIES, () => get(`/v1/logs?filters=${filters}`))}`);
  const range = `from=${new Date(now - 30 * DAY_MS).toISOString()}&to=${new Date(now).toISOString()}`;
  console.log(`  analytics  30 days by day and model: ${await timed(QUERIES, () => get(`/v1/analytics?interval=day&group_by=model&${range}`))}`);
  console.log(`  analytics  30 days by day and customer: ${await timed(QUERIES, () => get(`/v1/analytics?interval=day&group_by=customer&${range}`))}`);
  if (args.explain === 'true') {
    const sql = `SELECT date_trunc('day', bucket AT TIME ZONE 'UTC') AS b, model, sum(requests), ${histogramSumSql('duration_hist')}, ${histogramSumSql('ttfb_hist')}
      FROM request_log_rollups WHERE project_id = $1 AND bucket >= $2 AND bucket < $3 GROUP BY 1, 2`;
    const params = [ids.project, new Date(now - 30 * DAY_MS), new Date(now)];
    const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    console.log(plan.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n'));
    // The same without the histograms: what the percentiles cost.
    const bare = await db.query(`EXPLAIN (ANALYZE) ${sql.replace(`, ${histogramSumSql('duration_hist')}, ${histogramSumSql('ttfb_hist')}`, '')}`, params);
    console.log(`    without the histograms: ${bare.rows.at(-1)['QUERY PLAN']}`);
    // The same over the hourly rollups (what /v1/analytics reads for the whole hours of a day or hour series).
    const hourly = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql.replace('FROM request_log_rollups', 'FROM request_log_hourly_rollups')}`, params);
    console.log(`  hourly rollups plan:\n${hourly.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`);
    // The listing's id query (as RequestLogsRepository.search builds it) for the last 24 h with one filter.
    const list = await db.query(
      `EXPLAIN (ANALYZE, BUFFERS) SELECT l.id, l.created_at FROM request_logs l WHERE l.project_id = $1 AND l.created_at > $2::timestamptz
         AND l.model = $3::text ORDER BY l.created_at DESC, l.id DESC LIMIT 51`,
      [ids.project, new Date(now - DAY_MS).toISOString(), 'gpt-4o'],
    );
    console.log(`  listing plan:\n${list.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`);
    // The page's rows by id, as the repository then reads them (with their created_at, for partition pruning).
    const page = await db.query(
      `SELECT id, created_at FROM request_logs WHERE project_id = $1 AND created_at > $2::timestamptz AND model = 'gpt-4o' ORDER BY created_at DESC, id DESC LIMIT 51`,
      [ids.project, new Date(now - DAY_MS).toISOString()],
    );
    const fetch = await db.query(
      `EXPLAIN (ANALYZE, SUMMARY) SELECT * FROM request_logs l WHERE l.project_id = $1 AND l.id = ANY($2::uuid[]) AND l.created_at >= $3 AND l.created_at < $4`,
      [ids.project, page.rows.map((r) => r.id), page.rows.at(-1).created_at, new Date(page.rows[0].created_at.getTime() + 1)],
    );
    console.log(`  page fetch: ${fetch.rows.filter((r) => /Planning Time|Execution Time/.test(r['QUERY PLAN'])).map((r) => r['QUERY PLAN'].trim()).join(', ')}`);
  }
  console.log(`  load average ${load()} at the end`);
}

/** RECORDS logs over the 30 days before `now` with one INSERT ... SELECT generate_series, their rollups, ANALYZE. */
async function generateLogs(db, ids, now) {
  const days = Array.from({ length: 32 }, (_, i) => new Date(now - (30 - i) * DAY_MS).toISOString().slice(0, 10));
  await db.query('SELECT request_log_ensure_partitions($1::date[])', [days]);
  const t2 = performance.now();
  await db.query(
    `INSERT INTO request_logs (id, created_at, project_id, organization_id, request_id, key_id, customer_identifier, path, request_type,
       model_requested, model, provider, connection_id, status_code, success, cached, step, attempts, tokens_input, tokens_cache_read,
       tokens_cache_write, tokens_reasoning, tokens_output, cost, custom_cost, duration_ms, ttfb_ms, stream, metadata, has_bodies)
     SELECT gen_random_uuid(), $3::timestamptz - (i * (30 * 86400000.0 / $4)) * interval '1 millisecond', $1, $2, 'gen-' || i, NULL, 'c' || (i % 100),
       '/v1/chat/completions', 'chat.completions', 'gpt-4o-mini', (ARRAY['gpt-4o-mini', 'gpt-4o', 'claude-3-5-haiku'])[1 + i % 3], 'openai', 'bench',
       CASE WHEN i % 20 = 0 THEN 429 ELSE 200 END, i % 20 <> 0, false, 0, '[]'::jsonb, 120, 0, 0, 0, 42, 0.00004, false, 100 + i % 400, 50 + i % 100,
       false, jsonb_build_object('team', 't' || (i % 5)), false
     FROM generate_series(1, $4) i`,
    [ids.project, ids.org, new Date(now).toISOString(), RECORDS],
  );
  await db.query(
    `INSERT INTO request_log_rollups AS r (project_id, bucket, model, provider, key_id, customer_identifier, requests, errors, cached, tokens_input,
       tokens_cache_read, tokens_cache_write, tokens_reasoning, tokens_output, cost, duration_ms, duration_hist, ttfb_hist)
     SELECT project_id, date_trunc('minute', created_at), model, provider, '', customer_identifier, count(*), count(*) FILTER (WHERE NOT success), 0,
       sum(tokens_input), 0, 0, 0, sum(tokens_output), sum(cost), sum(duration_ms), ${histogramCountsSql('duration_b')}, ${histogramCountsSql('ttfb_b')}
     FROM (SELECT *, ${histogramBucketSql('duration_ms')} AS duration_b, ${histogramBucketSql('ttfb_ms')} AS ttfb_b FROM request_logs
       WHERE request_id LIKE 'gen-%' AND created_at < $1) l GROUP BY 1, 2, 3, 4, 5, 6
     ON CONFLICT (project_id, bucket, model, provider, key_id, customer_identifier) DO NOTHING`,
    [new Date(now).toISOString()],
  );
  // The hourly rollups of the same logs, as the writer keeps them beside the minute ones.
  await db.query(
    `INSERT INTO request_log_hourly_rollups AS r (project_id, bucket, model, provider, requests, errors, cached, tokens_input,
       tokens_cache_read, tokens_cache_write, tokens_reasoning, tokens_output, cost, duration_ms, duration_hist, ttfb_hist)
     SELECT project_id, date_trunc('hour', created_at), model, provider, count(*), count(*) FILTER (WHERE NOT success), 0,
       sum(tokens_input), 0, 0, 0, sum(tokens_output), sum(cost), sum(duration_ms), ${histogramCountsSql('duration_b')}, ${histogramCountsSql('ttfb_b')}
     FROM (SELECT *, ${histogramBucketSql('duration_ms')} AS duration_b, ${histogramBucketSql('ttfb_ms')} AS ttfb_b FROM request_logs
       WHERE request_id LIKE 'gen-%' AND created_at < $1) l GROUP BY 1, 2, 3, 4
     ON CONFLICT (project_id, bucket, model, provider) DO NOTHING`,
    [new Date(now).toISOString()],
  );
  // The hourly key and customer rollups, summed from the minute ones (as their migration fills them).
  for (const dimension of ['key_id', 'customer_identifier']) {
    await db.query(
      `INSERT INTO request_log_dimension_hourly_rollups (project_id, dimension, bucket, value, requests, errors, cached, tokens_input,
         tokens_cache_read, tokens_cache_write, tokens_reasoning, tokens_output, cost, duration_ms, duration_hist, ttfb_hist)
       SELECT project_id, '${dimension}', date_trunc('hour', bucket), ${dimension}, sum(requests), sum(errors), sum(cached), sum(tokens_input),
         sum(tokens_cache_read), sum(tokens_cache_write), sum(tokens_reasoning), sum(tokens_output), sum(cost), sum(duration_ms),
         ${histogramSumSql('duration_hist')}, ${histogramSumSql('ttfb_hist')}
       FROM request_log_rollups WHERE bucket < $1 GROUP BY 1, 2, 3, 4
       ON CONFLICT (project_id, dimension, bucket, value) DO NOTHING`,
      [new Date(now).toISOString()],
    );
  }
  // What autovacuum does after such an insert (without statistics the planner sorts the rollup rows on disk).
  await db.query('ANALYZE request_logs, request_log_rollups, request_log_hourly_rollups, request_log_dimension_hourly_rollups');
  console.log(`  stored     ${fmt(RECORDS)} logs over 30 days in ${((performance.now() - t2) / 1000).toFixed(1)} s (INSERT ... SELECT generate_series, rollups, ANALYZE)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
