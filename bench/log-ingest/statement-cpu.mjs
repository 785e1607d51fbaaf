#!/usr/bin/env node
// The log writer's statement alone, measured in CPU time (load-independent): batches of --batch records (2 KB bodies,
// as bench/log-ingest writes them) stored through the built RequestLogsRepository on one connection; prints the
// PostgreSQL backend's CPU time (utime + stime from /proc, so PostgreSQL must run on this machine) and this process's
// per 1,000 records, and records per CPU-second of the backend. Needs `npm run build`, PostgreSQL and Redis.
//
//   node bench/log-ingest/statement-cpu.mjs [--batches 20] [--batch 1000] [--warmup 3]
//     [--perf FILE]     record the backend with `perf record -g` while the batches run (root; `perf report -i FILE`)
//     [--setup 'SQL']   run first (e.g. to try a schema change: `ALTER TABLE … SET COMPRESSION lz4`, `DROP INDEX …`)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { benchDatabase, freePort, load, parseArgs, post, root, startService } from '../common.mjs';
import { logRecord } from './records.mjs';

const require = createRequire(import.meta.url);
const { createDataSource, RequestLogsRepository } = require(resolve(root, 'dist/libs/persistence/src/index.js'));

const args = parseArgs();
const BATCHES = Number(args.batches ?? 20);
const BATCH = Number(args.batch ?? 1000);
const WARMUP = Number(args.warmup ?? 3);
const SETUP = args.setup;
const PERF = args.perf;
const TICK_MS = 10; // USER_HZ 100

/** CPU ms (user + system) of a process. */
const cpuMs = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
};

async function main() {
  const { env, drop } = await benchDatabase('sy_bench_stmt', 'bench-stmt');
  const ds = createDataSource({ database: { url: env.DATABASE_URL, poolSize: 1 } });
  try {
    const router = await startService('router', env, await freePort());
    const org = await post(`${router.url}/v1/admin/organizations`, env.GATEWAY_ADMIN_TOKEN, { name: 'bench' });
    router.child.kill('SIGTERM');
    await ds.initialize();
    const ids = { org: org.id, project: org.default_project_id, key: null };
    if (SETUP) await ds.query(SETUP);
    const repo = new RequestLogsRepository(ds);
    const [{ pid }] = await ds.query('SELECT pg_backend_pid() AS pid');
    let n = 0;
    const batch = () => `[${Array.from({ length: BATCH }, () => JSON.stringify(logRecord(ids, n++))).join(',')}]`;
    for (let i = 0; i < WARMUP; i++) await repo.insertJson(batch());
    const texts = Array.from({ length: BATCHES }, batch);
    const perf = PERF ? spawn('perf', ['record', '-g', '-p', String(pid), '-o', PERF], { stdio: 'ignore' }) : null;
    if (perf) await new Promise((r) => setTimeout(r, 500));
    const loadBefore = load();
    const pg0 = cpuMs(pid);
    const me0 = process.cpuUsage();
    const t0 = performance.now();
    let stored = 0;
    for (const t of texts) stored += await repo.insertJson(t);
    const wall = performance.now() - t0;
    const pgMs = cpuMs(pid) - pg0;
    const me = process.cpuUsage(me0);
    if (perf) {
      perf.kill('SIGINT');
      await new Promise((r) => perf.once('exit', r));
    }
    const k = stored / 1000;
    console.log(`statement-cpu: ${BATCHES} batches of ${BATCH} records (2 KB bodies), ${stored} stored; load average ${loadBefore} before, ${load()} after`);
    console.log(`  PostgreSQL backend CPU  ${(pgMs / k).toFixed(1)} ms per 1,000 records = ${Math.round(stored / (pgMs / 1000)).toLocaleString('en-US')} records per CPU-second`);
    console.log(`  this process CPU        ${((me.user + me.system) / 1000 / k).toFixed(1)} ms per 1,000 records (the pg driver, TypeORM)`);
    console.log(`  wall                    ${(wall / k).toFixed(1)} ms per 1,000 records (load-dependent)`);
  } finally {
    await ds.destroy().catch(() => {});
    await drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
