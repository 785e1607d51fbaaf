#!/usr/bin/env node
// Collector ingest benchmark: real OTLP exporters (@opentelemetry/exporter-trace-otlp-proto and -http)
// send batches of 512 SDK spans from several concurrent clients to the built collector (dist).
// Prints accepted spans/s, persisted spans/s (until every span is in PostgreSQL), export latency
// percentiles, the collector's peak RSS, and the CPU per 1,000 spans of the collector and of its PostgreSQL
// connections from the first export until every span is stored (`/proc`: PostgreSQL on this host). Needs
// `npm run build`, PostgreSQL and Redis.
//
//   node bench/collector-ingest/run.mjs [--spans 200000] [--clients 4] [--batch 512] [--protocols proto,json] [--gzip]
//     [--pin 1]            run the collector under `taskset -c 1` (pin this load generator with `taskset -c 0 node …`)
//     [--cpu-prof DIR]     write the collector's V8 CPU profile into DIR (open in Chrome DevTools)
//     [--collector-flags '--a --b']  the collector's Node flags instead of tools/services.json's ('none': no flags)
//     [--pregen]           create every SDK span before the clock starts (the exporters still encode
//                          during the run): less load-generator CPU competing with the collector
//     [--base DIR]         migrate and run the router and collector of another build root (its `dist/`): a before/after
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { backendCpu, benchDatabase, cpuSince, freePort, load, parseArgs, post, REDIS_URL, rssOf, startService, threadsCpu } from '../common.mjs';
import { benchTracer, makeBatch } from './sdk-spans.mjs';

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { OTLPTraceExporter: ProtoExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPTraceExporter: JsonExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { CompressionAlgorithm } = require('@opentelemetry/otlp-exporter-base');

const args = parseArgs();
const TOTAL = Number(args.spans ?? 200_000);
const CLIENTS = Number(args.clients ?? 4);
const BATCH = Number(args.batch ?? 512);
const PROTOCOLS = (args.protocols ?? 'proto,json').split(',');
const GZIP = args.gzip === 'true';
const PIN = args.pin;
const CPU_PROF = args['cpu-prof'];
const PREGEN = args.pregen === 'true';
const BASE = args.base ? resolve(args.base) : undefined;
// Read from argv itself: the value starts with `--` (parseArgs would take it for the next option).
const flagsArg = process.argv.includes('--collector-flags') ? process.argv[process.argv.indexOf('--collector-flags') + 1] : undefined;
const COLLECTOR_FLAGS = flagsArg === undefined ? undefined : flagsArg === 'none' ? [] : flagsArg.split(' ').filter(Boolean);

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const { id, env, drop } = await benchDatabase('sy_bench', 'bench', { base: BASE });
  const procs = [];
  const db = new Client({ connectionString: env.DATABASE_URL });
  try {
    const router = await startService('router', env, await freePort(), { base: BASE });
    procs.push(router.child);
    const collector = await startService('collector', env, await freePort(), {
      base: BASE,
      nodeArgs: CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(CPU_PROF)}`] : [],
      wrapper: PIN ? ['taskset', '-c', PIN] : [],
      ...(COLLECTOR_FLAGS ? { flags: COLLECTOR_FLAGS } : {}),
    });
    procs.push(collector.child);
    const org = await post(`${router.url}/v1/admin/organizations`, env.GATEWAY_ADMIN_TOKEN, { name: 'bench' });
    const key = await post(`${router.url}/v1/admin/access-keys`, env.GATEWAY_ADMIN_TOKEN, { organization_id: org.id, project_id: org.default_project_id, name: 'bench' });
    router.child.kill('SIGTERM');
    await db.connect();

    const tracer = benchTracer();
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
    const loadBefore = load();
    const pg0 = await backendCpu(db);
    const collector0 = threadsCpu(collector.child.pid);
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
    const pgMs = cpuSince(pg0, await backendCpu(db));
    const collectorMs = threadsCpu(collector.child.pid) - collector0;
    clearInterval(rssTimer);
    latencies.sort((a, b) => a - b);
    const fmt = (n) => Math.round(n).toLocaleString('en-US');
    console.log(`collector-ingest: ${sent} spans in ${batches} exports of ${BATCH}, ${CLIENTS} clients (${PROTOCOLS.join('+')}), gzip ${GZIP}${PREGEN ? ', spans created before the clock' : ''}`);
    console.log(`  failed exports      ${failed}`);
    console.log(`  accepted            ${fmt(sent / acceptedSecs)} spans/s (${acceptedSecs.toFixed(2)} s)`);
    console.log(`  persisted           ${fmt(stored / persistedSecs)} spans/s (${stored} stored, ${persistedSecs.toFixed(2)} s until queryable)`);
    console.log(`  export latency ms   p50 ${pct(latencies, 50).toFixed(1)}  p90 ${pct(latencies, 90).toFixed(1)}  p99 ${pct(latencies, 99).toFixed(1)}  max ${latencies[latencies.length - 1].toFixed(1)}`);
    console.log(`  collector peak RSS  ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
    const perK = (ms) => `${((ms * 1000) / stored).toFixed(1)} ms per 1,000 spans`;
    console.log(`  CPU                 PostgreSQL (the collector's connections) ${perK(pgMs)}; the collector ${perK(collectorMs)}`);
    console.log(`  load average        ${loadBefore} before, ${load()} after${PIN ? `; collector pinned to CPU ${PIN}` : ''}`);
    await Promise.all(exporters.map((e) => e.shutdown()));
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.race([Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : null))), new Promise((r) => setTimeout(r, 10_000))]);
    await db.end().catch(() => {});
    await drop();
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
