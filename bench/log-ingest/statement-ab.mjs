#!/usr/bin/env node
// Variants of the log writer's statement (or with `--spans true` the span writer's) compared in CPU time, batch by
// batch in turn (so machine load hits all alike): each variant gets its own migrated database, its `setup` SQL run
// first, and stores batches of the same shape through the built RequestLogsRepository (SpansRepository), its SQL
// optionally rewritten by `rewrite(sql)`; prints each variant's PostgreSQL backend CPU per 1,000 records (median and
// mean of the rounds), this process's, and the share of the rollup tables' updates that were HOT (no index entry
// written).
//
//   node bench/log-ingest/statement-ab.mjs --variants FILE.mjs [--rounds 10] [--batch 1000] [--bodies x|text] [--spans true [--export 512]]
//
// FILE.mjs default-exports [{ name, base?: 'DIR', setup?: 'SQL', rewrite?: (sql) => sql, record?: (r) => r, batch?: N }, …];
// `base`: the root of another build (its `dist/` and `node_modules`: e.g. a copy of `dist/` before a change) whose
// migrations, repository (and for spans, collector decoding) the variant uses, for a before/after under the same load;
// `record`: maps each record before its batch is serialized (a field left out or changed).
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchDatabase, freePort, load, parseArgs, post, processCpu, root, startService } from '../common.mjs';
import { benchTracer, queuedSpans } from '../collector-ingest/sdk-spans.mjs';
import { logRecord } from './records.mjs';

const require = createRequire(import.meta.url);
/** The persistence lib of a build root. */
const persistence = (base) => require(resolve(base, 'dist/libs/persistence/src/index.js'));

const args = parseArgs();
const ROUNDS = Number(args.rounds ?? 10);
const BATCH = Number(args.batch ?? 1000);
const BODIES = args.bodies ?? 'x';
/**
 * `--spans true`: the span writer's statement (SpansRepository) instead, on bench/collector-ingest's spans as the
 * collector queues them (sdk-spans.mjs), the batch joined from exports of `--export` spans (512, the bench's) as the
 * writer joins queue entries.
 */
const SPANS = args.spans === 'true';
const EXPORT = Number(args.export ?? 512);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * A repository whose SQL goes through `rewrite` (named prepared statements too: `preparedQuery` on the client of a
 * transaction's runner or of a query runner).
 */
function rewritten(ds, rewrite) {
  if (!rewrite) return ds;
  // A Submittable (a COPY stream of pg-copy-streams) passes as it is: spreading it would lose its prototype.
  const rewriteConfig = (cfg) => (typeof cfg === 'object' && cfg.text && typeof cfg.submit !== 'function' ? { ...cfg, text: rewrite(cfg.text) } : cfg);
  const wrapClient = (c) => new Proxy(c, { get: (t, p) => (p === 'query' ? (cfg, ...rest) => t.query(rewriteConfig(cfg), ...rest) : t[p]) });
  // The runner itself, its `connect` replaced (not a Proxy: TypeORM finds a released runner by identity, and a proxied
  // one stayed in its list of connected runners, which made runs with span rewrites never finish).
  const wrapped = new WeakSet();
  const wrapRunner = (r) => {
    if (wrapped.has(r)) return r;
    wrapped.add(r);
    const connect = r.connect.bind(r);
    r.connect = async () => wrapClient(await connect());
    return r;
  };
  const wrapQ = (q) => new Proxy(q, { get: (t, p) => (p === 'query' ? (sql, params) => t.query(rewrite(sql), params) : p === 'queryRunner' ? wrapRunner(t.queryRunner) : t[p]) });
  const wrapDs = {
    transaction: (t) => (fn) => t.transaction((tx) => fn(wrapQ(tx))),
    query: (t) => (sql, params) => t.query(rewrite(sql), params),
    createQueryRunner: (t) => () => wrapRunner(t.createQueryRunner()),
  };
  return new Proxy(ds, { get: (t, p) => (wrapDs[p] ? wrapDs[p](t) : t[p]) });
}

async function main() {
  const variants = (await import(pathToFileURL(resolve(args.variants)).href)).default;
  const lanes = [];
  const tracer = benchTracer();
  let n = 0;
  try {
    for (const v of variants) {
      const base = v.base ? resolve(v.base) : root;
      const { createDataSource, jsonbArrayParam, RequestLogsRepository, SpansRepository } = persistence(base);
      const { env, drop } = await benchDatabase('sy_bench_ab', 'bench-ab', { base });
      const ds = createDataSource({ database: { url: env.DATABASE_URL, poolSize: 1 } });
      const lane = { v, drop, ds, cpu: [], client: [], stored: 0 };
      lanes.push(lane);
      const router = await startService('router', env, await freePort(), { base });
      const org = await post(`${router.url}/v1/admin/organizations`, env.GATEWAY_ADMIN_TOKEN, { name: 'bench' });
      router.child.kill('SIGTERM');
      await ds.initialize();
      if (v.setup) await ds.query(v.setup);
      const ids = { org: org.id, project: org.default_project_id, key: null };
      const mapped = (records) => (v.record ? records.map(v.record) : records);
      if (SPANS) {
        const spans = new SpansRepository(rewritten(ds, v.rewrite));
        const { jsonArrayBytes } = require(resolve(base, 'dist/apps/collector/src/queue/ingest-queue.js'));
        // Queue entries of EXPORT spans each, joined as the writer joins them.
        lane.batch = (size) => {
          const entries = [];
          for (let left = size; left > 0; left -= EXPORT) entries.push(jsonArrayBytes(mapped(queuedSpans(tracer, Math.min(EXPORT, left), base))));
          return { param: jsonbArrayParam(entries), n: size };
        };
        lane.write = async ({ param, n }) => (await spans.insertJson(ids.project, param), n);
      } else {
        const logs = new RequestLogsRepository(rewritten(ds, v.rewrite));
        lane.batch = (size) => `[${mapped(Array.from({ length: size }, () => logRecord(ids, n++, BODIES))).map((r) => JSON.stringify(r)).join(',')}]`;
        lane.write = (text) => logs.insertJson(text);
      }
    }
    for (const lane of lanes) for (let i = 0; i < 2; i++) await lane.write(lane.batch(lane.v.batch ?? BATCH)); // warm-up
    const loadBefore = load();
    for (let r = 0; r < ROUNDS; r++) {
      for (const lane of r % 2 ? [...lanes].reverse() : lanes) {
        const input = lane.batch(lane.v.batch ?? BATCH);
        // The pool may have replaced an idle connection: read the backend's pid each time.
        const [{ pid }] = await lane.ds.query('SELECT pg_backend_pid() AS pid');
        const c0 = processCpu(pid);
        const n0 = process.cpuUsage();
        lane.stored += await lane.write(input);
        const n1 = process.cpuUsage(n0);
        lane.cpu.push(processCpu(pid) - c0);
        lane.client.push((n1.user + n1.system) / 1000);
      }
    }
    console.log(`statement-ab: ${ROUNDS} rounds of ${BATCH} records per variant (unless it sets its batch) (bodies: ${BODIES}); load average ${loadBefore} before, ${load()} after`);
    for (const l of lanes) {
      const k = (l.v.batch ?? BATCH) / 1000;
      const total = l.cpu.reduce((a, b) => a + b, 0);
      console.log(`  ${l.v.name.padEnd(24)} median ${(median(l.cpu) / k).toFixed(1).padStart(6)} ms, mean ${(total / l.cpu.length / k).toFixed(1).padStart(6)} ms per 1,000 records; stored ${l.stored}; this process (the repository's client side) median ${(median(l.client) / k).toFixed(1)} ms`);
      if (SPANS) continue;
      const upd = await l.ds.query(`SELECT relname, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname LIKE 'request_log%rollups' OR relname = 'request_log_counts' ORDER BY 1`);
      console.log(`    HOT updates: ${upd.map((t) => `${t.relname.replace(/^request_log_/, '')} ${Math.round((100 * t.hot) / Math.max(1, t.upd))} %`).join(', ')}`);
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
