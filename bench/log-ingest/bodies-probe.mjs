#!/usr/bin/env node
// Probe: what PostgreSQL pays for a batch of log stream entries whose records carry their bodies inside the JSON
// (`inline`: what routers wrote before; every body a JSON string escaped in the record) vs beside it (`split`: the
// entry's `b` field, the record holding the bodies' byte lengths; `encodeLogRecord` of @switchyard/metering), batch by
// batch in turn. Entries are built outside the measured call, as the writer reads them from Redis (one Buffer per field).
//   parse:*      receiving the batch and producing each record's two body texts, nothing stored: `inline` as one jsonb
//                array (jsonbArrayParam, main's writer) with `e->'bodies'->>'request'`; `split` as INSERT_LOGS reads it
//                now (jsonb[] of entries, the bodies cut from one bytea by offsets summed per entry, convert_from)
//   statement:*  the writer's whole insert through the built RequestLogsRepository, each on its own migrated
//                database: `base` (with --base DIR: another build's repository, e.g. main's, fed as its writer feeds
//                it), `inline` and `split` (this build's insertEntries)
// Per variant: median and mean PostgreSQL backend CPU per 1,000 records (`/proc/<pid>/schedstat`), and this process's
// CPU per 1,000 records building the parameters and running the driver (the collector's side of the call).
//
//   node bench/log-ingest/bodies-probe.mjs [--rounds 12] [--batch 1000] [--per-entry 1] [--bodies chat|x|text] [--base DIR] [--only parse|statement]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { benchDatabase, freePort, load, parseArgs, post, root, startService } from '../common.mjs';
import { logRecord } from './records.mjs';

const require = createRequire(import.meta.url);
const lib = (base, name) => require(resolve(base, `dist/libs/${name}/src/index.js`));
const { encodeLogRecord, logEntryFields } = lib(root, 'metering');

const args = parseArgs();
const ROUNDS = Number(args.rounds ?? 12);
const BATCH = Number(args.batch ?? 1000);
const PER_ENTRY = Number(args['per-entry'] ?? 1);
const BODIES = args.bodies ?? 'chat';
const cpuMs = (pid) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let n = 0;
/** A batch's stream entries (`PER_ENTRY` records each) in either format: `{ records, bodies? }`, Buffers. */
function entries(ids, format) {
  const out = [];
  for (let i = 0; i < BATCH; i += PER_ENTRY) {
    const records = Array.from({ length: Math.min(PER_ENTRY, BATCH - i) }, () => logRecord(ids, n++, BODIES));
    if (format === 'inline') out.push({ records: Buffer.from(JSON.stringify(records)) });
    else {
      const { d, b } = logEntryFields(records.map(encodeLogRecord));
      out.push({ records: Buffer.from(d), bodies: Buffer.from(b) });
    }
  }
  return out;
}

const PARSE_INLINE = `SELECT count(*)::int AS n, sum(length(e->'bodies'->>'request') + length(e->'bodies'->>'response'))::int AS chars
  FROM jsonb_array_elements($1::jsonb) e`;
const PARSE_SPLIT = `SELECT count(*)::int AS n, sum(length(convert_from(substring($2::bytea FROM at + 1 FOR rl), 'UTF8'))
    + length(convert_from(substring($2::bytea FROM at + rl + 1 FOR sl), 'UTF8')))::int AS chars
  FROM (SELECT rl, sl, (($3::integer[])[k] + COALESCE(sum(rl + sl) OVER (PARTITION BY k ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::integer AS at
    FROM (SELECT (e->'bodies'->>'requestLength')::integer AS rl, (e->'bodies'->>'responseLength')::integer AS sl, k, j.n
      FROM unnest($1::jsonb[]) WITH ORDINALITY u(d, k), jsonb_array_elements(u.d) WITH ORDINALITY j(e, n)) r) s`;

/** The parse probes' parameters, as each writer builds them from its entries. */
function parseParams(persistence, format, batch) {
  if (format === 'inline') return [persistence.jsonbArrayParam(batch.map((e) => e.records))];
  const starts = [];
  let at = 0;
  for (const e of batch) {
    starts.push(at);
    at += e.bodies.length;
  }
  return [persistence.jsonbArrayOf(batch.map((e) => e.records)), Buffer.concat(batch.map((e) => e.bodies), at), starts];
}

async function main() {
  const lanes = [];
  const sources = [];
  const drops = [];
  const persistence = lib(root, 'persistence');
  const only = args.only;
  try {
    /** A migrated database of `base` with an organization; a one-connection data source on it. */
    const database = async (base) => {
      const { env, drop } = await benchDatabase('sy_bench_bodies', 'bench-bodies', { base });
      drops.push(drop);
      const router = await startService('router', env, await freePort());
      const org = await post(`${router.url}/v1/admin/organizations`, env.GATEWAY_ADMIN_TOKEN, { name: 'bench' });
      router.child.kill('SIGTERM');
      const ds = lib(base, 'persistence').createDataSource({ database: { url: env.DATABASE_URL, poolSize: 1 } });
      await ds.initialize();
      sources.push(ds);
      return { ds, ids: { org: org.id, project: org.default_project_id, key: null } };
    };
    const own = await database(root);
    const add = (name, ds, ids, format, call) => lanes.push({ name, ds, ids, format, call, cpu: [], client: [] });
    if (only !== 'statement') {
      for (const format of ['inline', 'split']) {
        const sql = format === 'inline' ? PARSE_INLINE : PARSE_SPLIT;
        add(`parse:${format}`, own.ds, own.ids, format, async (batch) => {
          const [row] = await own.ds.query(sql, parseParams(persistence, format, batch));
          return row.n;
        });
      }
    }
    if (only !== 'parse') {
      if (args.base) {
        const base = resolve(args.base);
        const { ds, ids } = await database(base);
        const repo = new (lib(base, 'persistence').RequestLogsRepository)(ds);
        add('statement:base', ds, ids, 'inline', (batch) => repo.insertJson(persistence.jsonbArrayParam(batch.map((e) => e.records))));
      }
      for (const format of ['inline', 'split']) {
        const { ds, ids } = format === 'inline' ? await database(root) : own;
        const repo = new persistence.RequestLogsRepository(ds);
        add(`statement:${format}`, ds, ids, format, (batch) => repo.insertEntries(batch));
      }
    }
    // Warm-up: past the five custom plans PostgreSQL makes of a prepared statement before its generic plan.
    for (const lane of lanes) for (let i = 0; i < 6; i++) await lane.call(entries(lane.ids, lane.format));
    const loadBefore = load();
    for (let r = 0; r < ROUNDS; r++) {
      for (const lane of r % 2 ? [...lanes].reverse() : lanes) {
        const batch = entries(lane.ids, lane.format);
        const [{ pid }] = await lane.ds.query('SELECT pg_backend_pid() AS pid');
        const c0 = cpuMs(pid);
        const n0 = process.cpuUsage();
        const stored = await lane.call(batch);
        const n1 = process.cpuUsage(n0);
        lane.cpu.push(cpuMs(pid) - c0);
        lane.client.push((n1.user + n1.system) / 1000);
        if (stored !== BATCH) throw new Error(`${lane.name}: ${stored} of ${BATCH} records`);
      }
    }
    const k = BATCH / 1000;
    console.log(`bodies-probe: ${ROUNDS} rounds of ${BATCH} records (${PER_ENTRY} per entry, bodies: ${BODIES}); load average ${loadBefore} before, ${load()} after`);
    for (const l of lanes) {
      const mean = l.cpu.reduce((a, b) => a + b, 0) / l.cpu.length;
      const spread = `${(Math.min(...l.cpu) / k).toFixed(1)}-${(Math.max(...l.cpu) / k).toFixed(1)}`;
      console.log(`  ${l.name.padEnd(18)} PostgreSQL median ${(median(l.cpu) / k).toFixed(1).padStart(6)} ms, mean ${(mean / k).toFixed(1).padStart(6)} (${spread}) per 1,000 records; this process median ${(median(l.client) / k).toFixed(1)} ms`);
    }
  } finally {
    for (const ds of sources) await ds.destroy().catch(() => {});
    for (const drop of drops) await drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
