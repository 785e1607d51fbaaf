#!/usr/bin/env node
// Variants of the log writer's statement compared in CPU time, batch by batch in turn (so machine load hits all
// alike): each variant gets its own migrated database, its `setup` SQL run first, and stores the same batches
// through the built RequestLogsRepository, its SQL optionally rewritten by `rewrite(sql)`; prints each variant's
// PostgreSQL backend CPU per 1,000 records (median and mean of the rounds) and the share of the rollup
// tables' updates that were HOT (no index entry written).
//
//   node bench/log-ingest/statement-ab.mjs --variants FILE.mjs [--rounds 10] [--batch 1000] [--bodies x|text] [--spans true]
//
// FILE.mjs default-exports [{ name, base?: 'DIR', setup?: 'SQL', rewrite?: (sql) => sql, batch?: N }, …]; `base`: the root of another
// build (its `dist/` and `node_modules`: e.g. a copy of `dist/` before a change) whose migrations and repository the
// variant uses, for a before/after under the same load.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchDatabase, freePort, load, parseArgs, post, root, startService } from '../common.mjs';
import { logRecord } from './records.mjs';
import { randomBytes } from 'node:crypto';

const require = createRequire(import.meta.url);
/** The persistence lib of a build root. */
const persistence = (base) => require(resolve(base, 'dist/libs/persistence/src/index.js'));

const args = parseArgs();
const ROUNDS = Number(args.rounds ?? 10);
const BATCH = Number(args.batch ?? 1000);
const BODIES = args.bodies ?? 'x';
/** `--spans true`: the span writer's statement (SpansRepository) instead, spans in traces of 8 as bench/collector-ingest sends them. */
const SPANS = args.spans === 'true';
/** CPU ms a process has run (`/proc/<pid>/schedstat`: nanoseconds on a CPU, where `stat` counts 10 ms ticks). */
const cpuMs = (pid) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The span repository as a batch writer (`insertJson(json)` -> spans stored). */
const spanWriter = (repo, project) => ({ insertJson: async (json) => (await repo.insertJson(project, json), JSON.parse(json).length) });

let traceId = '';
let spanNo = 0;
/** A SpanRecord (what the collector queues): traces of 8 spans, a root and 7 GenAI children, as bench/collector-ingest sends. */
function spanRecord() {
  const i = spanNo++;
  if (i % 8 === 0) traceId = randomBytes(16).toString('hex');
  const start = BigInt(Date.now()) * 1_000_000n + BigInt(i % 8) * 1000n;
  const root = i % 8 === 0;
  return {
    trace_id: traceId, span_id: randomBytes(8).toString('hex'), parent_span_id: root ? null : '0'.repeat(16), name: root ? 'POST /v1/chat/completions' : 'chat gpt-4o-mini',
    kind: root ? 2 : 3, service_name: 'bench', start_ns: String(start), end_ns: String(start + 120_000_000n), status_code: 0, status_message: null,
    attributes: root ? { 'http.route': '/v1/chat/completions', 'http.status_code': 200 } : { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.provider.name': 'openai', 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 42, 'gen_ai.usage.cost': 0.00004, 'user.id': `u-${i}` },
    resource: { 'service.name': 'bench', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.name': 'opentelemetry' }, scope: { name: 'bench', version: '1' },
    events: [], links: [], trace_state: null, flags: 1, gen_ai_model: root ? null : 'gpt-4o-mini', gen_ai_provider: root ? null : 'openai',
    input_tokens: root ? null : 120, output_tokens: root ? null : 42, cost: root ? null : 0.00004,
  };
}

/** A repository whose transactions' SQL goes through `rewrite` (named prepared statements too: `preparedQuery` on the runner's client). */
function rewritten(ds, rewrite) {
  if (!rewrite) return ds;
  const wrapClient = (c) => new Proxy(c, { get: (t, p) => (p === 'query' ? (cfg, ...rest) => t.query(typeof cfg === 'object' && cfg.text ? { ...cfg, text: rewrite(cfg.text) } : cfg, ...rest) : t[p]) });
  const wrapRunner = (r) => new Proxy(r, { get: (t, p) => (p === 'connect' ? async () => wrapClient(await t.connect()) : t[p]) });
  const wrapQ = (q) => new Proxy(q, { get: (t, p) => (p === 'query' ? (sql, params) => t.query(rewrite(sql), params) : p === 'queryRunner' ? wrapRunner(t.queryRunner) : t[p]) });
  return new Proxy(ds, {
    get: (t, p) => (p === 'transaction' ? (fn) => t.transaction((tx) => fn(wrapQ(tx))) : p === 'query' ? (sql, params) => t.query(rewrite(sql), params) : t[p]),
  });
}

async function main() {
  const variants = (await import(pathToFileURL(resolve(args.variants)).href)).default;
  const lanes = [];
  try {
    for (const v of variants) {
      const base = v.base ? resolve(v.base) : root;
      const { createDataSource, RequestLogsRepository, SpansRepository } = persistence(base);
      const { env, drop } = await benchDatabase('sy_bench_ab', 'bench-ab', { base });
      const ds = createDataSource({ database: { url: env.DATABASE_URL, poolSize: 1 } });
      const lane = { v, drop, ds, cpu: [], client: [], stored: 0 };
      lanes.push(lane);
      const router = await startService('router', env, await freePort());
      const org = await post(`${router.url}/v1/admin/organizations`, env.GATEWAY_ADMIN_TOKEN, { name: 'bench' });
      router.child.kill('SIGTERM');
      await ds.initialize();
      if (v.setup) await ds.query(v.setup);
      lane.ids = { org: org.id, project: org.default_project_id, key: null };
      lane.repo = SPANS ? spanWriter(new SpansRepository(rewritten(ds, v.rewrite)), lane.ids.project) : new RequestLogsRepository(rewritten(ds, v.rewrite));
    }
    let n = 0;
    const record = SPANS ? spanRecord : (ids) => logRecord(ids, n++, BODIES);
    const batch = (ids, size = BATCH) => `[${Array.from({ length: size }, () => JSON.stringify(record(ids))).join(',')}]`;
    for (const lane of lanes) for (let i = 0; i < 2; i++) await lane.repo.insertJson(batch(lane.ids, lane.v.batch)); // warm-up
    const loadBefore = load();
    for (let r = 0; r < ROUNDS; r++) {
      for (const lane of r % 2 ? [...lanes].reverse() : lanes) {
        const text = batch(lane.ids, lane.v.batch);
        // The pool may have replaced an idle connection: read the backend's pid each time.
        const [{ pid }] = await lane.ds.query('SELECT pg_backend_pid() AS pid');
        const c0 = cpuMs(pid);
        const n0 = process.cpuUsage();
        lane.stored += await lane.repo.insertJson(text);
        const n1 = process.cpuUsage(n0);
        lane.cpu.push(cpuMs(pid) - c0);
        lane.client.push((n1.user + n1.system) / 1000);
      }
    }
    console.log(`statement-ab: ${ROUNDS} rounds of ${BATCH} records per variant (unless it sets its batch) (bodies: ${BODIES}); load average ${loadBefore} before, ${load()} after`);
    for (const l of lanes) {
      const k = (l.v.batch ?? BATCH) / 1000;
      const total = l.cpu.reduce((a, b) => a + b, 0);
      const upd = await l.ds.query(`SELECT relname, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname LIKE 'request_log%rollups' OR relname = 'request_log_counts' ORDER BY 1`);
      const hot = upd.map((t) => `${t.relname.replace(/^request_log_/, '')} ${Math.round((100 * t.hot) / Math.max(1, t.upd))} %`).join(', ');
      console.log(`  ${l.v.name.padEnd(24)} median ${(median(l.cpu) / k).toFixed(1).padStart(6)} ms, mean ${(total / l.cpu.length / k).toFixed(1).padStart(6)} ms per 1,000 records; stored ${l.stored}; this process (the repository's client side) median ${(median(l.client) / k).toFixed(1)} ms\n    HOT updates: ${hot}`);
    }
  } finally {
    for (const l of lanes) {
      await l.ds.destroy().catch(() => {});
      await l.drop();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
