#!/usr/bin/env node
// Collector ingest benchmark: real OTLP exporters (@opentelemetry/exporter-trace-otlp-proto and -http)
// send batches of 512 SDK spans from several concurrent clients to the built collector (dist).
// Prints accepted spans/s, persisted spans/s (until every span is in PostgreSQL), export latency
// percentiles and the collector's peak RSS. Needs `npm run build`, PostgreSQL and Redis.
//
//   node bench/collector-ingest/run.mjs [--spans 200000] [--clients 4] [--batch 512] [--protocols proto,json] [--gzip]
//     [--pin 1]            run the collector under `taskset -c 1` (pin this load generator with `taskset -c 0 node …`)
//     [--cpu-prof DIR]     write the collector's V8 CPU profile into DIR (open in Chrome DevTools)
//     [--pregen]           create every SDK span before the clock starts (the exporters still encode
//                          during the run): less load-generator CPU competing with the collector
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createServer } from 'node:net';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { Client } = require('pg');
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { OTLPTraceExporter: ProtoExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPTraceExporter: JsonExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { CompressionAlgorithm } = require('@opentelemetry/otlp-exporter-base');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]?.startsWith('--') || all[i + 1] === undefined ? 'true' : all[i + 1]]] : acc), []),
);
const TOTAL = Number(args.spans ?? 200_000);
const CLIENTS = Number(args.clients ?? 4);
const BATCH = Number(args.batch ?? 512);
const PROTOCOLS = (args.protocols ?? 'proto,json').split(',');
const GZIP = args.gzip === 'true';
const PIN = args.pin;
const CPU_PROF = args['cpu-prof'];
const PREGEN = args.pregen === 'true';
const BASE_DB = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

function startService(app, env, port) {
  const portVar = { router: 'ROUTER_PORT', collector: 'COLLECTOR_PORT' }[app];
  const node = [...(app === 'collector' && CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(CPU_PROF)}`] : []), resolve(root, 'dist/apps', app, 'src/main.js')];
  const [cmd, argv] = app === 'collector' && PIN ? ['taskset', ['-c', PIN, process.execPath, ...node]] : [process.execPath, node];
  const child = spawn(cmd, argv, {
    env: { PATH: process.env.PATH, ...env, [portVar]: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  return (async () => {
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) return { child, url };
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`${app} did not start`);
  })();
}

async function post(url, token, body) {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

const rssOf = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
};
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** A batch of `n` ended SDK spans (ReadableSpan), in traces of 8: a root and 7 children with GenAI attributes. */
function makeBatch(tracer, n) {
  const spans = [];
  const { context, trace } = require('@opentelemetry/api');
  let root;
  let ctx;
  for (let i = 0; i < n; i++) {
    if (i % 8 === 0) {
      root = tracer.startSpan('POST /v1/chat/completions', { attributes: { 'http.route': '/v1/chat/completions', 'http.status_code': 200 } });
      ctx = trace.setSpan(context.active(), root);
      continue;
    }
    const s = tracer.startSpan('chat gpt-4o-mini', {
      attributes: { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 42, 'gen_ai.usage.cost': 0.00004, 'user.id': `u-${i}` },
    }, ctx);
    s.addEvent('first token', { index: 0 });
    s.end();
    spans.push(s);
    if (i % 8 === 7 || i === n - 1) {
      root.end();
      spans.push(root);
    }
  }
  if (spans.length < n && root) spans.push(root);
  return spans.slice(0, n);
}

async function main() {
  const id = randomBytes(4).toString('hex');
  const dbName = `sy_bench_${id}`;
  const admin = new Client({ connectionString: BASE_DB });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(BASE_DB);
  dbUrl.pathname = `/${dbName}`;
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL,
    REDIS_PREFIX: `bench-${id}`,
    GATEWAY_ADMIN_TOKEN: `bench-admin-${id}-0123456789`,
    GATEWAY_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  };
  const procs = [];
  const db = new Client({ connectionString: dbUrl.toString() });
  try {
    const mig = spawn(process.execPath, [resolve(root, 'dist/tools/migrate.js'), 'up'], { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
    await new Promise((r) => mig.once('exit', r));
    const router = await startService('router', env, await freePort());
    procs.push(router.child);
    const collector = await startService('collector', env, await freePort());
    procs.push(collector.child);
    const org = await post(`${router.url}/v1/admin/organizations`, env.GATEWAY_ADMIN_TOKEN, { name: 'bench' });
    const key = await post(`${router.url}/v1/admin/access-keys`, env.GATEWAY_ADMIN_TOKEN, { organization_id: org.id, project_id: org.default_project_id, name: 'bench' });
    router.child.kill('SIGTERM');
    await db.connect();

    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'bench-service' }) });
    const tracer = provider.getTracer('bench');
    const batches = Math.ceil(TOTAL / BATCH);
    let next = 0;
    const latencies = [];
    let failed = 0;
    let peakRss = 0;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssOf(collector.child.pid))), 100);

    const exporters = Array.from({ length: CLIENTS }, (_, i) => {
      const protocol = PROTOCOLS[i % PROTOCOLS.length];
      const Exporter = protocol === 'json' ? JsonExporter : ProtoExporter;
      return new Exporter({
        url: `${collector.url}/v1/traces`,
        headers: { Authorization: `Bearer ${key.key}` },
        compression: GZIP ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
        timeoutMillis: 30_000,
      });
    });
    const pregen = PREGEN ? Array.from({ length: batches }, () => makeBatch(tracer, BATCH)) : [];
    const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
    const t0 = performance.now();
    await Promise.all(
      exporters.map(async (exporter) => {
        while (next < batches) {
          const spans = PREGEN ? pregen[next] : makeBatch(tracer, BATCH);
          next++;
          const t = performance.now();
          const result = await new Promise((r) => exporter.export(spans, r));
          latencies.push(performance.now() - t);
          if (result.code !== 0) failed++;
        }
      }),
    );
    const acceptedSecs = (performance.now() - t0) / 1000;
    const sent = batches * BATCH;
    let stored = 0;
    const deadline = Date.now() + 600_000;
    while (Date.now() < deadline) {
      stored = Number((await db.query('SELECT count(*) AS n FROM spans')).rows[0].n);
      if (stored >= sent - failed * BATCH) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const persistedSecs = (performance.now() - t0) / 1000;
    clearInterval(rssTimer);
    latencies.sort((a, b) => a - b);
    const fmt = (n) => Math.round(n).toLocaleString('en-US');
    console.log(`collector-ingest: ${sent} spans in ${batches} exports of ${BATCH}, ${CLIENTS} clients (${PROTOCOLS.join('+')}), gzip ${GZIP}${PREGEN ? ', spans created before the clock' : ''}`);
    console.log(`  failed exports      ${failed}`);
    console.log(`  accepted            ${fmt(sent / acceptedSecs)} spans/s (${acceptedSecs.toFixed(2)} s)`);
    console.log(`  persisted           ${fmt(stored / persistedSecs)} spans/s (${stored} stored, ${persistedSecs.toFixed(2)} s until queryable)`);
    console.log(`  export latency ms   p50 ${pct(latencies, 50).toFixed(1)}  p90 ${pct(latencies, 90).toFixed(1)}  p99 ${pct(latencies, 99).toFixed(1)}  max ${latencies[latencies.length - 1].toFixed(1)}`);
    console.log(`  collector peak RSS  ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
    console.log(`  load average        ${loadBefore} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after${PIN ? `; collector pinned to CPU ${PIN}` : ''}`);
    await Promise.all(exporters.map((e) => e.shutdown()));
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.race([Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : null))), new Promise((r) => setTimeout(r, 10_000))]);
    await db.end().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
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
