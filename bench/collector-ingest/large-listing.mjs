#!/usr/bin/env node
// Trace listing at scale: seeds one project with N spans (SQL generate_series straight into `spans`
// and `traces`, traces of 8 spans spread evenly over the last `--hours`), then times `GET /v1/traces`
// over HTTP on the built collector (writer off) for the last hour, with filters and a second page,
// and prints PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of each listing query.
// Needs `npm run build`, PostgreSQL and Redis; uses about 0.5 GB of disk per million spans.
//
//   node bench/collector-ingest/large-listing.mjs [--spans 10000000] [--hours 24] [--repeat 5] [--keep] [--db NAME]
//
// --db NAME reuses a database seeded by an earlier run with --keep (seeding 10M spans takes minutes).
import { createRequire } from 'node:module';
import { BASE_DB, freePort, load, parseArgs, REDIS_URL, root } from '../common.mjs';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { SpansRepository } = require(resolve(root, 'dist/libs/persistence/src/repositories/spans.repository.js'));
const { parseTraceQuery } = require(resolve(root, 'dist/apps/collector/src/traces/trace-query.dto.js'));

const args = parseArgs();
const SPANS = Number(args.spans ?? 10_000_000);
const HOURS = Number(args.hours ?? 24);
const REPEAT = Number(args.repeat ?? 5);
const KEEP = args.keep === 'true';
const CHUNK = 1_000_000;

const secs = (t) => ((performance.now() - t) / 1000).toFixed(1);

/** Spans [from, to) of the seed: span i belongs to trace i/8 (span 0 of each trace is its root). */
const SEED_SPANS = `
INSERT INTO spans (project_id, trace_id, span_id, parent_span_id, name, kind, service_name, start_ns, end_ns, duration_ns,
  status_code, status_message, attributes, resource, scope, events, links, gen_ai_model, gen_ai_provider, input_tokens, output_tokens, cost)
SELECT $1, lpad(to_hex(t), 32, '0'), lpad(to_hex(i + 1), 16, '0'),
  CASE WHEN i % 8 = 0 THEN NULL ELSE lpad(to_hex(t * 8 + 1), 16, '0') END,
  CASE WHEN i % 8 = 0 THEN 'POST /v1/chat/completions' ELSE 'chat ' || m END,
  CASE WHEN i % 8 = 0 THEN 2 ELSE 3 END, 'svc-' || (t % 5), st + (i % 8) * 1000000, st + (i % 8) * 1000000 + 800000000, 800000000,
  CASE WHEN t % 50 = 0 AND i % 8 = 7 THEN 2 ELSE 0 END, NULL,
  CASE WHEN i % 8 = 0 THEN jsonb_build_object('http.route', '/v1/chat/completions', 'user.id', 'u-' || (t % 1000))
       ELSE jsonb_build_object('gen_ai.request.model', m, 'gen_ai.provider.name', 'openai', 'gen_ai.usage.input_tokens', 120,
         'gen_ai.usage.output_tokens', 42, 'user.id', 'u-' || (t % 1000)) END,
  jsonb_build_object('service.name', 'svc-' || (t % 5), 'telemetry.sdk.language', 'nodejs'), '{"name":"bench","version":null,"attributes":{}}',
  '[]', '[]', CASE WHEN i % 8 = 0 THEN NULL ELSE m END, CASE WHEN i % 8 = 0 THEN NULL ELSE 'openai' END,
  CASE WHEN i % 8 = 0 THEN NULL ELSE 120 END, CASE WHEN i % 8 = 0 THEN NULL ELSE 42 END, CASE WHEN i % 8 = 0 THEN NULL ELSE 0.00004 END
FROM (
  SELECT i, i / 8 AS t, $4::bigint - (i / 8) * $5::bigint AS st, (ARRAY['gpt-4o-mini','gpt-4o','claude-sonnet-4','gemini-2.5-flash'])[1 + (i / 8) % 4] AS m
  FROM generate_series($2::bigint, $3::bigint - 1) AS i
) s`;

const SEED_TRACES = `
INSERT INTO traces (project_id, trace_id, start_ns, end_ns, span_count, error_count, input_tokens, output_tokens, cost, root_name, root_service, service)
SELECT $1, lpad(to_hex(t), 32, '0'), $4::bigint - t * $5::bigint, $4::bigint - t * $5::bigint + 807000000, 8,
  CASE WHEN t % 50 = 0 THEN 1 ELSE 0 END, 840, 294, 0.00028, 'POST /v1/chat/completions', 'svc-' || (t % 5), 'svc-' || (t % 5)
FROM generate_series($2::bigint / 8, ($3::bigint + 7) / 8 - 1) AS t`;

async function seed(db, projectId) {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const traces = Math.ceil(SPANS / 8);
  const stepNs = (BigInt(HOURS) * 3_600_000_000_000n) / BigInt(traces); // newest trace first, evenly back in time
  const t0 = performance.now();
  for (let from = 0; from < SPANS; from += CHUNK) {
    const to = Math.min(SPANS, from + CHUNK);
    const p = [projectId, from, to, nowNs.toString(), stepNs.toString()];
    await db.query(SEED_SPANS, p);
    await db.query(SEED_TRACES, p);
    process.stderr.write(`  seeded ${to.toLocaleString('en-US')} spans (${secs(t0)} s)\n`);
  }
  await db.query('VACUUM ANALYZE spans');
  await db.query('VACUUM ANALYZE traces');
  console.log(`seeded ${SPANS.toLocaleString('en-US')} spans / ${traces.toLocaleString('en-US')} traces over ${HOURS} h in ${secs(t0)} s`);
}

async function main() {
  const admin = new Client({ connectionString: BASE_DB });
  await admin.connect();
  const dbName = args.db ?? `sy_bench_listing_${randomBytes(4).toString('hex')}`;
  const fresh = !args.db;
  if (fresh) await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(BASE_DB);
  dbUrl.pathname = `/${dbName}`;
  const id = randomBytes(4).toString('hex');
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL,
    REDIS_PREFIX: `bench-${id}`,
    GATEWAY_ADMIN_TOKEN: `bench-admin-${id}-0123456789`,
    GATEWAY_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    COLLECTOR_WRITER_ENABLED: 'false',
  };
  const db = new Client({ connectionString: dbUrl.toString() });
  let collector;
  try {
    const mig = spawnSync(process.execPath, [resolve(root, 'dist/tools/migrate.js'), 'up'], { env: { PATH: process.env.PATH, ...env }, stdio: 'inherit' });
    if (mig.status !== 0) throw new Error('migration failed');
    await db.connect();
    let project = (await db.query(`SELECT p.id, p.organization_id FROM projects p JOIN organizations o ON o.id = p.organization_id WHERE o.name = 'listing-bench'`)).rows[0];
    if (!project) {
      const org = (await db.query(`INSERT INTO organizations (id, name) VALUES (gen_random_uuid(), 'listing-bench') RETURNING id`)).rows[0].id;
      project = (
        await db.query(
          `INSERT INTO projects (id, organization_id, slug, name, is_default, webhook_secret_sealed, cache_ttl, cache_invalidate_on_update, collect_logs,
             rate_limiting_interval, rate_limiting_limit, rate_limiting_technique, authentication, retry_backoff, retry_delay, retry_max_attempts, zdr)
           VALUES (gen_random_uuid(), $1, 'default', 'default', true, 'unused', 0, false, true, 0, 0, 'fixed', false, 'constant', 0, 1, false)
           RETURNING id, organization_id`,
          [org],
        )
      ).rows[0];
      await seed(db, project.id);
    } else {
      console.log(`reusing ${dbName}: ${(await db.query('SELECT count(*)::int AS n FROM traces')).rows[0].n.toLocaleString('en-US')} traces`);
    }
    const size = (await db.query(`SELECT pg_size_pretty(pg_total_relation_size('spans')) AS spans, pg_size_pretty(pg_total_relation_size('traces')) AS traces`)).rows[0];
    console.log(`storage: spans ${size.spans}, traces ${size.traces} (tables + indexes)`);

    const port = await freePort();
    collector = spawn(process.execPath, [resolve(root, 'dist/apps/collector/src/main.js')], {
      env: { PATH: process.env.PATH, ...env, COLLECTOR_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }

    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const cases = [
      ['last hour', { from: hourAgo }],
      ['last hour, limit 1000', { from: hourAgo, limit: '1000' }],
      ['last hour, status=error', { from: hourAgo, status: 'error' }],
      ['last hour, min_duration_ms=500', { from: hourAgo, min_duration_ms: '500' }],
      ['last hour, service=svc-3', { from: hourAgo, service: 'svc-3' }],
      ['last hour, attr.gen_ai.request.model=gpt-4o', { from: hourAgo, 'attr.gen_ai.request.model': 'gpt-4o' }],
      ['last hour, attr.user.id=u-7 (1 trace in 1000)', { from: hourAgo, 'attr.user.id': 'u-7' }],
      ['no time filter (newest)', {}],
    ];
    const captured = [];
    const repo = new SpansRepository({ query: async (sql, params) => (captured.push([sql, params]), []) });
    console.log(`\nGET /v1/traces, ${REPEAT} requests each after one warm-up (load average ${load()}):`);
    for (const [label, params] of cases) {
      const qs = new URLSearchParams({ project: `${project.organization_id}/default`, ...params });
      const url = `${base}/v1/traces?${qs}`;
      const get = async () => {
        const t = performance.now();
        const res = await fetch(url, { headers: { authorization: `Bearer ${env.GATEWAY_ADMIN_TOKEN}` } });
        const body = await res.json();
        if (!res.ok) throw new Error(`${label}: ${res.status} ${JSON.stringify(body)}`);
        return [performance.now() - t, body];
      };
      const [, first] = await get();
      const times = [];
      for (let i = 0; i < REPEAT; i++) times.push((await get())[0]);
      times.sort((a, b) => a - b);
      let page2 = '';
      if (first.next_cursor) {
        const t = performance.now();
        const res = await fetch(`${url}&cursor=${encodeURIComponent(first.next_cursor)}`, { headers: { authorization: `Bearer ${env.GATEWAY_ADMIN_TOKEN}` } });
        await res.json();
        page2 = `; page 2 ${(performance.now() - t).toFixed(1)} ms`;
      }
      console.log(
        `  ${label.padEnd(46)} ${String(first.data.length).padStart(4)} rows  min ${times[0].toFixed(1)}  median ${times[times.length >> 1].toFixed(1)}  max ${times[times.length - 1].toFixed(1)} ms${page2}`,
      );
      const raw = Object.fromEntries(Object.entries(params));
      await repo.listTraces(project.id, { ...parseTraceQuery(raw), limit: Number(params.limit ?? 50) + 1 });
      captured[captured.length - 1].push(label);
    }
    console.log('\nEXPLAIN (ANALYZE, BUFFERS) of each listing query:');
    for (const [sql, params, label] of captured) {
      const plan = (await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).rows.map((r) => r['QUERY PLAN']);
      console.log(`\n-- ${label}\n${plan.map((l) => `   ${l}`).join('\n')}`);
    }
  } finally {
    collector?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await db.end().catch(() => {});
    if (fresh && !KEEP) await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
    else console.log(`\nkept database ${dbName} (reuse with --db ${dbName}; drop it with: psql -c 'DROP DATABASE "${dbName}"')`);
    await admin.end();
    const { Redis } = require('ioredis');
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`bench-${id}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
