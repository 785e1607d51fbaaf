#!/usr/bin/env node
// Router overhead benchmark: the same load, in one run on loopback, straight to an instant mock upstream,
// through the Switchyard router (auth on, one connection), and through the Portkey open-source gateway.
//
//   npm run build && node bench/router-overhead/run.mjs [--repeats 3] [--rate 500] [--duration 10]
//
// Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL as for the services; it uses its own database
// `switchyard_bench` and a fresh Redis prefix). Pins the load generator and the mock to CPU 0 and each
// gateway to CPU 1 (taskset), one gateway at a time. Prints per-repeat figures, min/median/max, and one
// summary line of ratios.
import { execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Pool } from 'undici';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => (a.startsWith('--') ? [[a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']] : [])),
);
const REPEATS = Number(args.repeats ?? 3);
const RATE = Number(args.rate ?? 500);
const LOW_RATE = Number(args['low-rate'] ?? 100);
const DURATION_S = Number(args.duration ?? 10);
const THROUGHPUT_S = Number(args['throughput-duration'] ?? 5);
const CONNECTIONS = Number(args.connections ?? 64);
const PORTKEY = args.portkey !== 'false';
const FLOOR = args.floor === 'true';
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const cpus = Number(execFileSync('nproc').toString().trim());
const LOAD_CPU = '0';
const GATEWAY_CPU = cpus > 1 ? '1' : '0';
const pin = (cpu) => (process.platform === 'linux' ? ['taskset', '-c', cpu] : []);

try {
  execFileSync('taskset', ['-cp', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
} catch {
  // taskset unavailable: run unpinned
}

const env0 = { ...process.env, ...readDotenv() };
const freePort = () =>
  new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(url, child, name) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start`);
    await sleep(100);
  }
}

function startProcess(cmd, argv, env, name) {
  const [p0, ...prest] = pin(GATEWAY_CPU);
  const child = p0 ? spawn(p0, [...prest, cmd, ...argv], { env, stdio: ['ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'pipe'] }) : spawn(cmd, argv, { env, stdio: ['ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'ignore', process.env.BENCH_VERBOSE ? 'inherit' : 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => (err = (err + d).slice(-4000)));
  child.on('exit', (code) => code && code !== 143 && !child.stopping && console.error(`${name} exited ${code}: ${err}`));
  return child;
}

/** The pid of the node process itself (the child of taskset execs into it, so they are the same). */
const cpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Open-loop load at a fixed rate; latency measured from each request's scheduled time (no coordinated omission). */
async function openLoop(target, { rate, seconds, stream = false }) {
  const pool = new Pool(target.origin, { connections: 512, keepAliveTimeout: 60_000 });
  const body = JSON.stringify({ ...target.body, ...(stream ? { stream: true } : {}) });
  const n = Math.floor(rate * seconds);
  const interval = 1000 / rate;
  const latencies = [];
  const firstBytes = [];
  let errors = 0;
  let rssMax = 0;
  const start = performance.now() + 20;
  const pending = [];
  let i = 0;
  const fire = (scheduled) =>
    pool
      .request({ path: target.path, method: 'POST', headers: target.headers, body })
      .then(async (res) => {
        let first = true;
        for await (const _chunk of res.body) {
          if (first) {
            firstBytes.push(performance.now() - scheduled);
            first = false;
          }
        }
        if (res.statusCode !== 200) errors += 1;
        else latencies.push(performance.now() - scheduled);
      })
      .catch(() => {
        errors += 1;
      });
  await new Promise((done) => {
    const tick = () => {
      const now = performance.now();
      while (i < n && start + i * interval <= now) {
        pending.push(fire(start + i * interval));
        i += 1;
        if (target.pid && i % rate === 0) rssMax = Math.max(rssMax, rssMb(target.pid));
      }
      if (i >= n) return done();
      const wait = start + i * interval - performance.now();
      if (wait > 2) setTimeout(tick, wait - 1.5);
      else setImmediate(tick);
    };
    tick();
  });
  await Promise.all(pending);
  await pool.close();
  latencies.sort((a, b) => a - b);
  firstBytes.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), ttfb50: pct(firstBytes, 50), ttfb99: pct(firstBytes, 99), errors, rssMax };
}

async function throughput(target) {
  const result = await autocannon({
    url: target.origin + target.path,
    method: 'POST',
    headers: target.headers,
    body: JSON.stringify(target.body),
    connections: CONNECTIONS,
    duration: THROUGHPUT_S,
  });
  return { rps: result.requests.average, errors: result.errors + result.non2xx };
}

async function measure(target) {
  await openLoop(target, { rate: RATE, seconds: 2 }); // warm-up
  const ticks0 = target.pid ? cpuTicks(target.pid) : 0;
  const high = await openLoop(target, { rate: RATE, seconds: DURATION_S });
  const cpuMsPerReq = target.pid ? ((cpuTicks(target.pid) - ticks0) * (1000 / CLK_TCK)) / (RATE * DURATION_S) : 0;
  const low = await openLoop(target, { rate: LOW_RATE, seconds: DURATION_S });
  const streaming = await openLoop(target, { rate: LOW_RATE, seconds: Math.max(3, DURATION_S / 2), stream: true });
  const tp = await throughput(target);
  return { high, low, streaming, tp, cpuMsPerReq, rss: target.pid ? Math.max(high.rssMax, rssMb(target.pid)) : 0 };
}

// ---- set-up ----
const mockPort = await freePort();
const mock = fork(resolve(root, 'bench/router-overhead/mock-upstream.mjs'), [String(mockPort)], { stdio: 'ignore' });
await new Promise((r) => mock.once('message', r));
execFileSync('taskset', ['-cp', LOAD_CPU, String(mock.pid)], { stdio: 'ignore' });
const mockBase = `http://127.0.0.1:${mockPort}/v1`;

const dbUrl = new URL(env0.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchyard');
dbUrl.pathname = '/switchyard_bench';
const adminToken = `bench-admin-${randomBytes(12).toString('hex')}`;
const routerEnv = {
  PATH: process.env.PATH,
  NODE_ENV: 'production',
  DATABASE_URL: dbUrl.toString(),
  REDIS_URL: env0.REDIS_URL ?? 'redis://127.0.0.1:6379',
  REDIS_PREFIX: `sybench-${randomBytes(4).toString('hex')}`,
  GATEWAY_ADMIN_TOKEN: adminToken,
  GATEWAY_MASTER_KEY: randomBytes(32).toString('base64'),
  LOG_LEVEL: 'warn',
};
execFileSync(process.execPath, [resolve(root, 'dist/tools/migrate.js'), 'up'], { env: routerEnv, stdio: 'ignore' });
const routerPort = await freePort();
const router = startProcess(process.execPath, [...(process.env.BENCH_ROUTER_NODE_ARGS ?? '').split(' ').filter(Boolean), resolve(root, 'dist/apps/router/src/main.js')], { ...routerEnv, ROUTER_PORT: String(routerPort) }, 'router');
const routerUrl = `http://127.0.0.1:${routerPort}`;
await waitFor(`${routerUrl}/healthz`, router, 'router');
const admin = (path, body) =>
  fetch(routerUrl + path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
const org = await admin('/v1/admin/organizations', { name: 'bench' });
const key = await admin('/v1/admin/access-keys', { organization_id: org.id, project_id: org.default_project_id, name: 'bench' });
await admin('/v1/admin/connections', {
  organization_id: org.id, provider: 'openai', name: 'mock', slug: 'mock', credentials: { api_key: 'sk-bench-upstream-key' }, base_url: mockBase, is_default: true,
});

const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello.' }] };
const targets = {
  direct: { origin: `http://127.0.0.1:${mockPort}`, path: '/v1/chat/completions', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-upstream-key' }, body: chatBody },
  switchyard: {
    origin: routerUrl,
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key.key}` },
    body: { ...chatBody, model: 'openai/gpt-4o-mini' },
    pid: router.pid,
  },
};

let portkey;
if (PORTKEY) {
  const portkeyPort = await freePort();
  portkey = startProcess(
    process.execPath,
    ['--import', resolve(root, 'bench/router-overhead/loopback-only.mjs'), resolve(root, 'node_modules/@portkey-ai/gateway/build/start-server.js'), `--port=${portkeyPort}`, '--headless'],
    { PATH: process.env.PATH, NODE_ENV: 'production' },
    'portkey',
  );
  await waitFor(`http://127.0.0.1:${portkeyPort}/`, portkey, 'portkey');
  targets.portkey = {
    origin: `http://127.0.0.1:${portkeyPort}`,
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-upstream-key', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': mockBase },
    body: chatBody,
    pid: portkey.pid,
  };
}

if (FLOOR) {
  const floorPort = await freePort();
  const floor = startProcess(process.execPath, [resolve(root, 'bench/router-overhead/floor-proxy.mjs'), String(floorPort), `http://127.0.0.1:${mockPort}`], { PATH: process.env.PATH }, 'floor');
  await waitFor(`http://127.0.0.1:${floorPort}/healthz`, floor, 'floor');
  targets.floor = { origin: `http://127.0.0.1:${floorPort}`, path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: chatBody, pid: floor.pid, child: floor };
}

// Sanity: every target answers the same completion.
for (const [name, t] of Object.entries(targets)) {
  const r = await fetch(t.origin + t.path, { method: 'POST', headers: t.headers, body: JSON.stringify(t.body) });
  const j = await r.json();
  if (r.status !== 200 || !j.choices?.[0]?.message?.content) throw new Error(`${name} answered ${r.status}: ${JSON.stringify(j).slice(0, 300)}`);
}

// ---- runs ----
const runs = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`router-overhead: ${REPEATS} repeats; open loop ${RATE} and ${LOW_RATE} req/s for ${DURATION_S} s; throughput ${CONNECTIONS} connections for ${THROUGHPUT_S} s; load gen + mock on CPU ${LOAD_CPU}, gateways on CPU ${GATEWAY_CPU}; load average ${loadavg()}`);
for (let rep = 1; rep <= REPEATS; rep += 1) {
  for (const name of Object.keys(targets)) {
    const m = await measure(targets[name]);
    runs[name].push(m);
    console.log(
      `#${rep} ${name.padEnd(10)} @${RATE}/s p50 ${m.high.p50.toFixed(3)} p99 ${m.high.p99.toFixed(3)} ms | @${LOW_RATE}/s p50 ${m.low.p50.toFixed(3)} p99 ${m.low.p99.toFixed(3)} ms | stream TTFB p50 ${m.streaming.ttfb50.toFixed(3)} ms | ${Math.round(m.tp.rps)} req/s @${CONNECTIONS}c` +
        (m.rss ? ` | CPU ${m.cpuMsPerReq.toFixed(3)} ms/req | RSS ${m.rss.toFixed(0)} MB` : '') +
        (m.high.errors + m.low.errors + m.streaming.errors + m.tp.errors ? ` | errors ${m.high.errors + m.low.errors + m.streaming.errors + m.tp.errors}` : ''),
    );
  }
}

// ---- summary ----
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], med: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (o, d = 3) => `${o.min.toFixed(d)}/${o.med.toFixed(d)}/${o.max.toFixed(d)}`;
const added = (name, f) => runs[name].map((m, i) => f(m) - f(runs.direct[i]));
console.log('\nmin/median/max over repeats (added = gateway minus direct, same repeat):');
for (const name of Object.keys(targets).filter((n) => n !== 'direct')) {
  console.log(
    `${name.padEnd(10)} added p50 @${RATE}/s ${fmt(stats(added(name, (m) => m.high.p50)))} ms, p99 ${fmt(stats(added(name, (m) => m.high.p99)))} ms; ` +
      `added p50 @${LOW_RATE}/s ${fmt(stats(added(name, (m) => m.low.p50)))} ms; added stream TTFB ${fmt(stats(added(name, (m) => m.streaming.ttfb50)))} ms; ` +
      `throughput ${fmt(stats(runs[name].map((m) => m.tp.rps)), 0)} req/s; CPU ${fmt(stats(runs[name].map((m) => m.cpuMsPerReq)))} ms/req; RSS max ${Math.max(...runs[name].map((m) => m.rss)).toFixed(0)} MB`,
  );
}
console.log(`direct     throughput ${fmt(stats(runs.direct.map((m) => m.tp.rps)), 0)} req/s`);
const med = (name, f) => stats(runs[name].map(f)).med;
const medAdded = (name, f) => stats(added(name, f)).med;
if (targets.portkey) {
  console.log(
    `SUMMARY switchyard vs portkey: added p50 @${RATE}/s ${medAdded('switchyard', (m) => m.high.p50).toFixed(3)} vs ${medAdded('portkey', (m) => m.high.p50).toFixed(3)} ms; ` +
      `added p99 ${medAdded('switchyard', (m) => m.high.p99).toFixed(3)} vs ${medAdded('portkey', (m) => m.high.p99).toFixed(3)} ms; ` +
      `added stream TTFB ${medAdded('switchyard', (m) => m.streaming.ttfb50).toFixed(3)} vs ${medAdded('portkey', (m) => m.streaming.ttfb50).toFixed(3)} ms; ` +
      `throughput ${(med('switchyard', (m) => m.tp.rps) / med('portkey', (m) => m.tp.rps)).toFixed(2)}x portkey; ` +
      `CPU/req ${(med('switchyard', (m) => m.cpuMsPerReq) / med('portkey', (m) => m.cpuMsPerReq)).toFixed(2)}x; RSS ${Math.max(...runs.switchyard.map((m) => m.rss)).toFixed(0)} MB`,
  );
}

for (const child of [router, portkey, targets.floor?.child, mock].filter(Boolean)) {
  child.stopping = true;
  child.kill('SIGTERM');
}
setTimeout(() => process.exit(0), 1000).unref();

function readDotenv() {
  try {
    return Object.fromEntries(
      readFileSync(resolve(root, '.env'), 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  } catch {
    return {};
  }
}
