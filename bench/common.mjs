// Helpers shared by the benchmark scripts: arguments, ports, the built services as processes, RSS, load.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BASE_DB = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** `--name value` pairs of the command line (`--flag` alone: 'true'). */
export const parseArgs = (argv = process.argv.slice(2)) =>
  Object.fromEntries(argv.reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]?.startsWith('--') || all[i + 1] === undefined ? 'true' : all[i + 1]]] : acc), []));

/** A free TCP port on loopback. */
export const freePort = () =>
  new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

/** The load average, as `1m 5m 15m`. */
export const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** A process's resident set in bytes (0 once it is gone). */
export const rssOf = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return 0;
  }
};

/** The Node flags a service runs with everywhere (tools/services.json). */
export const serviceFlags = (app) => JSON.parse(readFileSync(resolve(root, 'tools/services.json'), 'utf8'))[app]?.nodeArgs ?? [];

/**
 * Starts a built service (`dist/apps/<app>/src/main.js`) and waits for its /healthz. It runs with its Node flags
 * from tools/services.json (`flags` replaces them); `nodeArgs` go to node after them;
 * `wrapper` (e.g. `['taskset', '-c', '1']`) runs node under another command; `base`: another build's root (its `dist/`).
 */
export function startService(app, env, port, { nodeArgs = [], flags = serviceFlags(app), wrapper = [], base = root } = {}) {
  const portVar = { router: 'ROUTER_PORT', collector: 'COLLECTOR_PORT' }[app];
  const node = [...flags, ...nodeArgs, resolve(base, 'dist/apps', app, 'src/main.js')];
  const [cmd, argv] = wrapper.length ? [wrapper[0], [...wrapper.slice(1), process.execPath, ...node]] : [process.execPath, node];
  const child = spawn(cmd, argv, { env: { PATH: process.env.PATH, ...env, [portVar]: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  return (async () => {
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`${url}/healthz`)).ok) return { child, url };
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`${app} did not start`);
  })();
}

/** POSTs JSON with a bearer token; the answer's JSON (throws on a non-2xx). */
export async function post(url, token, body) {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * A fresh database named `<name>_<id>` on BASE_DB, migrated with the built `dist/tools/migrate.js` (of `base`, another
 * build's root, when given), and the services' environment for it (Redis prefix `<prefix>-<id>`); `drop()` removes
 * the database. With `keep`, the database is named `keep`, created only if it does not exist, migrated, and never
 * dropped (a bench that fills it once and measures it again later).
 */
export async function benchDatabase(name, prefix, { base = root, keep } = {}) {
  const { Client } = createRequire(import.meta.url)('pg');
  // BENCH_TAG (e.g. a branch name) goes into the names, to tell apart the databases and keys of benches run side by side.
  const id = [process.env.BENCH_TAG, randomBytes(4).toString('hex')].filter(Boolean).join('_');
  const dbName = keep ?? `${name}_${id}`;
  const admin = new Client({ connectionString: BASE_DB });
  await admin.connect();
  const exists = keep && (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [keep])).rowCount > 0;
  if (!exists) await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(BASE_DB);
  dbUrl.pathname = `/${dbName}`;
  const env = {
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL,
    REDIS_PREFIX: `${prefix}-${id}`,
    GATEWAY_ADMIN_TOKEN: `bench-admin-${id}-0123456789`,
    GATEWAY_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  };
  const mig = spawn(process.execPath, [resolve(base, 'dist/tools/migrate.js'), 'up'], { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
  await new Promise((r) => mig.once('exit', r));
  const drop = async () => {
    if (!keep) await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => {});
    await admin.end();
  };
  return { id, env, drop };
}

/** CPU ms a single-threaded process (a PostgreSQL backend) has run (`/proc/<pid>/schedstat`: nanoseconds). */
export const processCpu = (pid) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;

/** CPU ms of all of a process's threads (`/proc/<pid>/stat` utime + stime, 10 ms ticks). */
export const threadsCpu = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/**
 * CPU ms of this database's PostgreSQL backends other than `db`'s own (a service's connections), by pid, from
 * `/proc/<pid>/schedstat` (PostgreSQL on this host). A backend that exits between two readings loses its share.
 */
export async function backendCpu(db) {
  const { rows } = await db.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return new Map(rows.flatMap(({ pid }) => {
    try {
      return [[pid, processCpu(pid)]];
    } catch {
      return []; // exited meanwhile
    }
  }));
}

/** The CPU ms the backends of a later `backendCpu` reading ran since an earlier one (a new backend: its whole life). */
export const cpuSince = (before, after) => [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);
