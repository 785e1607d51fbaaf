#!/usr/bin/env node
// Router overhead benchmark: the same load, in one run on loopback, straight to an instant mock upstream,
// through the Switchyard router (auth on, one connection), through the Portkey open-source gateway, and
// (with --floor) through a bare Fastify + undici proxy.
//
//   npm run build && node bench/router-overhead/run.mjs [--repeats 3] [--rate 500] [--duration 10] [--only switchyard,floor]
//     [--floor true] [--portkey false] [--nolog true] [--gov true] [--route true] [--router-flags='--single-threaded-gc' | --router-flags=none]
//     [--throughput-only true] [--database switchyard_bench] [--cpu-prof DIR] [--redis-pid PID] [--log-slices N [--slice-seconds 2]]
//
// --redis-pid PID: the redis-server behind REDIS_URL; its CPU per request is reported next to the gateway's (what
// the log stream costs Redis). Only meaningful with a Redis of the bench's own (e.g. a private redis-server).
// Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL as for the services; it uses its own database
// `switchyard_bench` and a fresh Redis prefix), and a C compiler for the load generator (loadgen.c).
// Pins the load generator and the mock to CPU 0 and each gateway to CPU 1 (taskset), one gateway at a
// time. Prints per-repeat figures, min/median/max, and one summary line of ratios.
import { execFileSync, fork, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// `--name value`, `--name=value` (for values that begin with --), or `--name` alone for true.
const args = Object.fromEntries(
  process.argv.slice(2).flatMap((a, i, all) => {
    if (!a.startsWith('--')) return [];
    const eq = a.indexOf('=');
    if (eq > 0) return [[a.slice(2, eq), a.slice(eq + 1)]];
    return [[a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']];
  }),
);
const REPEATS = Number(args.repeats ?? 3);
const RATE = Number(args.rate ?? 500);
const LOW_RATE = Number(args['low-rate'] ?? 100);
const REDIS_PID = args['redis-pid'] ? Number(args['redis-pid']) : null;
const DURATION_S = Number(args.duration ?? 10);
const THROUGHPUT_S = Number(args['throughput-duration'] ?? 5);
const CONNECTIONS = Number(args.connections ?? 64);
// --throughput-only true: only the closed-loop run per target and repeat (its throughput and the gateway's CPU per request).
const THROUGHPUT_ONLY = args['throughput-only'] === 'true';
// --log-slices N: after the repeats, N pairs of short runs at --rate (--slice-seconds, 2) of the logged router and its
// logs-off twin back to back, in alternating order: logging's p50 cost from adjacent slices, which the machine's drift
// between one repeat's 10 s runs (25 s apart) does not reach.
const LOG_SLICES = Number(args['log-slices'] ?? 0);
const SLICE_S = Number(args['slice-seconds'] ?? 2);
const ONLY = args.only ? new Set(['direct', ...args.only.split(',')]) : null;
const wanted = (name) => !ONLY || ONLY.has(name);
const PORTKEY = args.portkey !== 'false' && wanted('portkey');
const FLOOR = (args.floor === 'true' || ONLY?.has('floor')) && wanted('floor');
const NOLOG = (args.nolog === 'true' || ONLY?.has('sy-nolog')) && wanted('sy-nolog');
// --gov true: the same router on a project with every governance feature on (targets sy-gov: all cache misses, sy-hit: all hits).
const GOV_MISS = (args.gov === 'true' || ONLY?.has('sy-gov')) && wanted('sy-gov');
const GOV_HIT = (args.gov === 'true' || ONLY?.has('sy-hit')) && wanted('sy-hit');
// --route true: the same router and project, the model a 6-element dynamic route (target sy-route) instead of a plain name.
const ROUTE = (args.route === 'true' || ONLY?.has('sy-route')) && wanted('sy-route');
/** Where loadgen writes each request's sequence number (`--unique`), so that every request of a target with `unique` differs. */
const UNIQUE_MARK = '@@@@@@@@@@@@@@';
const VERBOSE = !!process.env.BENCH_VERBOSE;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const cpus = Number(execFileSync('nproc').toString().trim());
const LOAD_CPU = '0';
const GATEWAY_CPU = cpus > 1 ? '1' : '0';
const pinned = (cpu, cmd, argv) => (process.platform === 'linux' ? ['taskset', ['-c', cpu, cmd, ...argv]] : [cmd, argv]);

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

function startGateway(cmd, argv, env, name) {
  const child = spawn(...pinned(GATEWAY_CPU, cmd, argv), { env, stdio: ['ignore', VERBOSE ? 'inherit' : 'ignore', VERBOSE ? 'inherit' : 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => (err = (err + d).slice(-4000)));
  child.on('exit', (code) => code && code !== 143 && !child.stopping && console.error(`${name} exited ${code}: ${err}`));
  return child;
}

/** CPU ticks and RSS of a pid (taskset execs into the command, so the child's pid is the gateway's). */
const cpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
/** The system (kernel) part of a pid's CPU ticks. */
const sysTicks = (pid) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[12]);
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** The C load generator (loadgen.c), compiled once per source version into the temp directory. */
function buildLoadgen() {
  const source = resolve(root, 'bench/router-overhead/loadgen.c');
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const bin = join(tmpdir(), `switchyard-loadgen-${hash}`);
  if (!existsSync(bin)) execFileSync('cc', ['-O2', '-o', bin, source, '-lm'], { stdio: 'inherit' });
  return bin;
}
const LOADGEN = buildLoadgen();

/**
 * One load-generator run against a target (open loop at `rate`, or closed loop over `connections`),
 * with the target's CPU time per completed request and its RSS sampled every 100 ms.
 */
async function load(target, { rate, connections, seconds, warmup = 1, stream = false }) {
  const bodyFile = join(tmpdir(), `switchyard-bench-body-${process.pid}-${stream ? 's' : 'j'}.json`);
  const body = JSON.stringify({ ...target.body, ...(stream ? { stream: true } : {}) });
  // A fresh prefix per load run: no run repeats the bodies (and so the cache entries) of an earlier one.
  writeFileSync(bodyFile, target.unique ? body.replace(UNIQUE_MARK, `${randomBytes(6).toString('hex')}-${UNIQUE_MARK}`) : body);
  const argv = ['--port', new URL(target.origin).port, '--path', target.path, '--body-file', bodyFile, '--duration', String(seconds), '--warmup', String(warmup)];
  if (target.unique) argv.push('--unique', UNIQUE_MARK);
  for (const [k, v] of Object.entries(target.headers)) argv.push('--header', `${k}: ${v}`);
  argv.push(...(rate ? ['--rate', String(rate)] : ['--connections', String(connections)]));
  let rssMax = 0;
  const sample = () => target.pid && (rssMax = Math.max(rssMax, rssMb(target.pid)));
  const sampler = setInterval(sample, 100);
  const ticks0 = target.pid ? cpuTicks(target.pid) : 0;
  const sys0 = target.pid ? sysTicks(target.pid) : 0;
  const redis0 = REDIS_PID ? cpuTicks(REDIS_PID) : 0;
  const out = await new Promise((res, rej) => {
    const child = spawn(...pinned(LOAD_CPU, LOADGEN, argv), { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('exit', (code) => (code === 0 ? res(text) : rej(new Error(`loadgen exited ${code}`))));
  });
  clearInterval(sampler);
  sample();
  const r = JSON.parse(out);
  const cpuMsPerReq = target.pid ? ((cpuTicks(target.pid) - ticks0) * (1000 / CLK_TCK)) / r.sent : 0;
  const sysMsPerReq = target.pid ? ((sysTicks(target.pid) - sys0) * (1000 / CLK_TCK)) / r.sent : 0;
  const redisMsPerReq = REDIS_PID ? ((cpuTicks(REDIS_PID) - redis0) * (1000 / CLK_TCK)) / r.sent : 0;
  const errors = r.errors + r.non2xx + r.dropped;
  if (errors) {
    const statuses = Object.entries(r.statuses).filter(([s]) => !s.startsWith('2')).map(([s, n]) => `${n}x${s}`);
    console.log(`  (${target.name} ${rate ? `@${rate}/s` : `${connections}c`}${stream ? ' stream' : ''}: ${[...statuses, r.errors ? `${r.errors} connection errors` : '', r.dropped ? `${r.dropped} dropped` : ''].filter(Boolean).join(', ')})`);
  }
  return { lat: r.latency_ms, ttfb: r.ttfb_ms, rps: r.rps, errors, rssMax, cpuMsPerReq, sysMsPerReq, redisMsPerReq };
}

async function measure(target) {
  if (THROUGHPUT_ONLY) return { tp: await load(target, { connections: CONNECTIONS, seconds: THROUGHPUT_S }) };
  const high = await load(target, { rate: RATE, seconds: DURATION_S, warmup: 2 });
  const low = await load(target, { rate: LOW_RATE, seconds: DURATION_S });
  const streaming = await load(target, { rate: LOW_RATE, seconds: Math.max(3, DURATION_S / 2), stream: true });
  const streamingHigh = await load(target, { rate: RATE, seconds: Math.max(3, DURATION_S / 2), stream: true });
  const tp = await load(target, { connections: CONNECTIONS, seconds: THROUGHPUT_S });
  return { high, low, streaming, streamingHigh, tp, cpuMsPerReq: high.cpuMsPerReq, rss: Math.max(high.rssMax, low.rssMax, streaming.rssMax, streamingHigh.rssMax, tp.rssMax) };
}

// ---- set-up ----
const mockPort = await freePort();
const mock = fork(resolve(root, 'bench/router-overhead/mock-upstream.mjs'), [String(mockPort)], { stdio: 'ignore' });
await new Promise((r) => mock.once('message', r));
execFileSync('taskset', ['-cp', LOAD_CPU, String(mock.pid)], { stdio: 'ignore' });
const mockBase = `http://127.0.0.1:${mockPort}/v1`;
const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello.' }] };
const targets = {
  direct: { origin: `http://127.0.0.1:${mockPort}`, path: '/v1/chat/completions', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench-upstream-key' }, body: chatBody },
};
const children = [mock];
/** The router's Redis prefix, whose keys (log stream, cache entries, counters) `stop` deletes. */
const benchRedis = { prefix: null };

if (wanted('switchyard') || NOLOG || GOV_MISS || GOV_HIT || ROUTE) {
  const dbUrl = new URL(env0.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchyard');
  dbUrl.pathname = `/${args.database ?? 'switchyard_bench'}`;
  const adminToken = `bench-admin-${randomBytes(12).toString('hex')}`;
  const routerEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: env0.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: (benchRedis.prefix = `sybench-${randomBytes(4).toString('hex')}`),
    GATEWAY_ADMIN_TOKEN: adminToken,
    GATEWAY_MASTER_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  };
  execFileSync(process.execPath, [resolve(root, 'dist/tools/migrate.js'), 'up'], { env: routerEnv, stdio: 'ignore' });
  const routerPort = await freePort();
  // Started as everywhere else (tools/services.json: entry and Node flags); --router-flags replaces the flags
  // ('none' for Node's defaults), BENCH_ROUTER_NODE_ARGS adds some (e.g. for profiling).
  const { entry, nodeArgs } = JSON.parse(readFileSync(resolve(root, 'tools/services.json'), 'utf8')).router;
  const flags = args['router-flags'] === undefined ? nodeArgs : args['router-flags'] === 'none' ? [] : args['router-flags'].split(' ').filter(Boolean);
  const extraArgs = (process.env.BENCH_ROUTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // --cpu-prof DIR: the router writes a V8 CPU profile into DIR when the bench stops it.
  if (args['cpu-prof']) extraArgs.push('--cpu-prof', `--cpu-prof-dir=${resolve(args['cpu-prof'])}`, '--import', resolve(root, 'bench/router-overhead/exit-on-sigterm.mjs'));
  const router = startGateway(process.execPath, [...flags, ...extraArgs, resolve(root, entry)], { ...routerEnv, ROUTER_PORT: String(routerPort) }, 'router');
  console.log(`switchyard router: node ${[...flags, ...extraArgs].join(' ')} ${entry}`);
  children.push(router);
  const routerUrl = `http://127.0.0.1:${routerPort}`;
  await waitFor(`${routerUrl}/healthz`, router, 'router');
  const admin = async (path, body, method = 'POST') => {
    const r = await fetch(routerUrl + path, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await r.json();
    if (!r.ok) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  };
  const org = await admin('/v1/admin/organizations', { name: 'bench' });
  const key = await admin('/v1/admin/access-keys', { organization_id: org.id, project_id: org.default_project_id, name: 'bench' });
  await admin('/v1/admin/connections', {
    organization_id: org.id, provider: 'openai', name: 'mock', slug: 'mock', credentials: { api_key: 'sk-bench-upstream-key' }, base_url: mockBase, is_default: true,
  });
  const plain = {
    origin: routerUrl,
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key.key}` },
    body: { ...chatBody, model: 'openai/gpt-4o-mini' },
    pid: router.pid,
  };
  if (wanted('switchyard')) targets.switchyard = plain;
  // The same router with request logging off for these requests (metrics still counted): what logging costs.
  if (NOLOG) targets['sy-nolog'] = { ...plain, headers: { ...plain.headers, 'x-gateway-collect-log': 'false' } };
  if (ROUTE) {
    // start -> conditional (metadata.plan) -> percentage 90/10 -> two model elements -> end: what walking a route costs a call.
    const model = (id, fallback) => ({
      id, type: 'model', properties: { provider: 'openai', model: 'gpt-4o-mini', timeout: 30000, retries: 0 }, outputs: { success: { elementId: 'e' }, fallback: { elementId: fallback } },
    });
    await admin(`/v1/admin/organizations/${org.id}/projects/default/routes`, {
      name: 'bench',
      elements: [
        { id: 's', type: 'start', outputs: { next: { elementId: 'c' } } },
        { id: 'c', type: 'conditional', properties: { conditions: { 'metadata.plan': { $eq: 'free' } } }, outputs: { true: { elementId: 'a' }, false: { elementId: 'p' } } },
        { id: 'p', type: 'percentage', outputs: { '90%': { elementId: 'a' }, else: { elementId: 'b' } } },
        model('a', 'b'),
        model('b', 'e'),
        { id: 'e', type: 'end', outputs: {} },
      ],
    });
    targets['sy-route'] = { ...plain, headers: { ...plain.headers, 'x-gateway-metadata': '{"plan":"pro"}' }, body: { ...plain.body, model: 'dynamic/bench' } };
  }
  if (GOV_MISS || GOV_HIT) {
    // A project with a gateway rate limit, a key budget, a spend rule and the cache on, none of them ever refusing:
    // what governance costs a call (one Redis round trip for all of it), on a miss and on a hit.
    const projects = `/v1/admin/organizations/${org.id}/projects`;
    const project = await admin(projects, { name: 'governed', id: 'governed' });
    await admin(`${projects}/governed`, { rate_limiting_limit: 1_000_000_000, rate_limiting_interval: 60, cache_ttl: 86_400 }, 'PATCH');
    await admin(`${projects}/governed/spend-rules`, { name: 'bench', amount: 1_000_000_000, window: 86_400 });
    const govKey = await admin('/v1/admin/access-keys', { organization_id: org.id, project_id: project.id, name: 'governed', max_budget: 1_000_000, budget_duration: '1d' });
    const governed = { ...plain, headers: { ...plain.headers, authorization: `Bearer ${govKey.key}` } };
    // sy-gov: every request's message differs (loadgen --unique), so every one is a cache miss; sy-hit: the same request every time.
    if (GOV_MISS) targets['sy-gov'] = { ...governed, body: { ...governed.body, messages: [{ role: 'user', content: `Say hello. ${UNIQUE_MARK}` }] }, unique: true, cacheStatus: 'MISS' };
    if (GOV_HIT) targets['sy-hit'] = { ...governed, cacheStatus: 'HIT' };
  }
}

if (PORTKEY) {
  const portkeyPort = await freePort();
  const portkey = startGateway(
    process.execPath,
    ['--import', resolve(root, 'bench/router-overhead/loopback-only.mjs'), resolve(root, 'node_modules/@portkey-ai/gateway/build/start-server.js'), `--port=${portkeyPort}`, '--headless'],
    { PATH: process.env.PATH, NODE_ENV: 'production' },
    'portkey',
  );
  children.push(portkey);
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
  // The floor runs with the router's Node flags, so that the two differ only in what the router does.
  const { nodeArgs } = JSON.parse(readFileSync(resolve(root, 'tools/services.json'), 'utf8')).router;
  const floor = startGateway(process.execPath, [...nodeArgs, resolve(root, 'bench/router-overhead/floor-proxy.mjs'), String(floorPort), `http://127.0.0.1:${mockPort}`], { PATH: process.env.PATH }, 'floor');
  children.push(floor);
  await waitFor(`http://127.0.0.1:${floorPort}/healthz`, floor, 'floor');
  targets.floor = { origin: `http://127.0.0.1:${floorPort}`, path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: chatBody, pid: floor.pid };
}

// Sanity: every target answers the same completion; a second call of sy-gov misses the cache, of sy-hit hits it.
for (const [name, t] of Object.entries(targets)) {
  for (let call = 0; call < (t.cacheStatus ? 2 : 1); call += 1) {
    const body = JSON.stringify(t.body);
    const r = await fetch(t.origin + t.path, { method: 'POST', headers: t.headers, body: t.unique ? body.replace(UNIQUE_MARK, randomBytes(7).toString('hex')) : body });
    const j = await r.json();
    if (r.status !== 200 || !j.choices?.[0]?.message?.content) throw new Error(`${name} answered ${r.status}: ${JSON.stringify(j).slice(0, 300)}`);
    const cache = r.headers.get('x-gateway-cache-status');
    if (call === 1 && cache !== t.cacheStatus) throw new Error(`${name}: a second call answered x-gateway-cache-status ${cache}, not ${t.cacheStatus}`);
  }
}

// ---- runs ----
const runs = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(
  `router-overhead: ${REPEATS} repeats; open loop ${RATE} and ${LOW_RATE} req/s for ${DURATION_S} s; closed loop ${CONNECTIONS} connections for ${THROUGHPUT_S} s; ` +
    `load generator (loadgen.c) + mock on CPU ${LOAD_CPU}, gateways on CPU ${GATEWAY_CPU}; load average ${loadavg()}`,
);
const f3 = (x) => x.toFixed(3);
/** Redis's CPU per request of a load run, and the gateway's plus Redis's (with --redis-pid). */
const redisCpu = (r) => (REDIS_PID ? `, redis ${f3(r.redisMsPerReq)} (gateway + redis ${f3(r.cpuMsPerReq + r.redisMsPerReq)})` : '');
const signed = (x) => `${x >= 0 ? '+' : ''}${f3(x)}`;
for (const [name, t] of Object.entries(targets)) t.name = name;
/**
 * The targets in a repeat's order: on even repeats the logged router and its logs-off twin (one router process, so the
 * later of the two runs with a warmer JIT) swap places, so neither always has the advantage.
 */
const repeatOrder = (rep) => {
  const names = Object.keys(targets);
  const on = names.indexOf('switchyard');
  const off = names.indexOf('sy-nolog');
  if (rep % 2 === 0 && on >= 0 && off >= 0) [names[on], names[off]] = [names[off], names[on]];
  return names;
};
for (let rep = 1; rep <= REPEATS; rep += 1) {
  for (const name of repeatOrder(rep)) {
    const m = await measure(targets[name]);
    runs[name].push(m);
    if (THROUGHPUT_ONLY) {
      console.log(`#${rep} ${name.padEnd(10)} ${Math.round(m.tp.rps)} req/s @${CONNECTIONS}c${targets[name].pid ? ` | CPU ${f3(m.tp.cpuMsPerReq)} ms/req saturated (system ${f3(m.tp.sysMsPerReq)})${redisCpu(m.tp)} | RSS ${m.tp.rssMax.toFixed(0)} MB` : ''} | load ${loadavg()}${m.tp.errors ? ` | errors ${m.tp.errors}` : ''}`);
      continue;
    }
    const errors = m.high.errors + m.low.errors + m.streaming.errors + m.streamingHigh.errors + m.tp.errors;
    console.log(
      `#${rep} ${name.padEnd(10)} @${RATE}/s p50 ${f3(m.high.lat.p50)} p99 ${f3(m.high.lat.p99)} p99.9 ${f3(m.high.lat.p999)} ms | @${LOW_RATE}/s p50 ${f3(m.low.lat.p50)} p99 ${f3(m.low.lat.p99)} ms | ` +
        `stream TTFB p50 @${LOW_RATE}/s ${f3(m.streaming.ttfb.p50)} @${RATE}/s ${f3(m.streamingHigh.ttfb.p50)} p99 ${f3(m.streamingHigh.ttfb.p99)} ms | ${Math.round(m.tp.rps)} req/s @${CONNECTIONS}c` +
        (targets[name].pid ? ` | CPU ${f3(m.cpuMsPerReq)} ms/req @${RATE}/s, ${f3(m.tp.cpuMsPerReq)} saturated${redisCpu(m.tp)} | RSS ${m.rss.toFixed(0)} MB` : '') +
        ` | load ${loadavg()}` +
        (errors ? ` | errors ${errors}` : ''),
    );
  }
}

// ---- logging on and off in adjacent slices ----
const sliced = { on: [], off: [] };
if (LOG_SLICES && targets['sy-nolog'] && targets.switchyard && !THROUGHPUT_ONLY) {
  for (let i = 0; i < LOG_SLICES; i += 1) {
    for (const side of i % 2 ? ['off', 'on'] : ['on', 'off']) {
      const r = await load(targets[side === 'on' ? 'switchyard' : 'sy-nolog'], { rate: RATE, seconds: SLICE_S, warmup: 0.5 });
      sliced[side].push(r.lat);
    }
  }
}

// ---- summary ----
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], med: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (o, d = 3) => `${o.min.toFixed(d)}/${o.med.toFixed(d)}/${o.max.toFixed(d)}`;
const added = (name, f) => runs[name].map((m, i) => f(m) - f(runs.direct[i]));
if (THROUGHPUT_ONLY) {
  console.log('\nmin/median/max over repeats:');
  for (const name of Object.keys(targets)) {
    console.log(
      `${name.padEnd(10)} throughput ${fmt(stats(runs[name].map((m) => m.tp.rps)), 0)} req/s${targets[name].pid ? `; CPU ${fmt(stats(runs[name].map((m) => m.tp.cpuMsPerReq)))} ms/req saturated (system ${fmt(stats(runs[name].map((m) => m.tp.sysMsPerReq)))})` : ''}` +
        (REDIS_PID && targets[name].pid ? `; redis ${fmt(stats(runs[name].map((m) => m.tp.redisMsPerReq)))}, gateway + redis ${fmt(stats(runs[name].map((m) => m.tp.cpuMsPerReq + m.tp.redisMsPerReq)))} ms/req` : ''),
    );
  }
  await stop();
}
console.log('\nmin/median/max over repeats (added = gateway minus direct, same repeat):');
for (const name of Object.keys(targets).filter((n) => n !== 'direct')) {
  console.log(
    `${name.padEnd(10)} added p50 @${RATE}/s ${fmt(stats(added(name, (m) => m.high.lat.p50)))} ms, p99 ${fmt(stats(added(name, (m) => m.high.lat.p99)))} ms; ` +
      `added p50 @${LOW_RATE}/s ${fmt(stats(added(name, (m) => m.low.lat.p50)))} ms; added stream TTFB @${LOW_RATE}/s ${fmt(stats(added(name, (m) => m.streaming.ttfb.p50)))} ms, ` +
      `@${RATE}/s ${fmt(stats(added(name, (m) => m.streamingHigh.ttfb.p50)))} ms; ` +
      `throughput ${fmt(stats(runs[name].map((m) => m.tp.rps)), 0)} req/s; CPU ${fmt(stats(runs[name].map((m) => m.cpuMsPerReq)))} ms/req @${RATE}/s, ` +
      `${fmt(stats(runs[name].map((m) => m.tp.cpuMsPerReq)))} saturated; RSS max ${Math.max(...runs[name].map((m) => m.rss)).toFixed(0)} MB`,
  );
}
console.log(`direct     p50 @${RATE}/s ${fmt(stats(runs.direct.map((m) => m.high.lat.p50)))} ms, p99 ${fmt(stats(runs.direct.map((m) => m.high.lat.p99)))} ms; throughput ${fmt(stats(runs.direct.map((m) => m.tp.rps)), 0)} req/s`);
const med = (name, f) => stats(runs[name].map(f)).med;
const medAdded = (name, f) => stats(added(name, f)).med;
if (targets['sy-nolog'] && targets.switchyard && !THROUGHPUT_ONLY) {
  const pairedP50 = runs.switchyard.map((m, i) => m.high.lat.p50 - runs['sy-nolog'][i].high.lat.p50);
  console.log(
    `SUMMARY logging on vs off: added p50 @${RATE}/s ${f3(medAdded('switchyard', (m) => m.high.lat.p50))} vs ${f3(medAdded('sy-nolog', (m) => m.high.lat.p50))} ms ` +
      `(paired, on minus off in the same repeat: median ${signed(stats(pairedP50).med)}, per repeat ${pairedP50.map(signed).join(' ')} ms); ` +
      `throughput ${(med('switchyard', (m) => m.tp.rps) / med('sy-nolog', (m) => m.tp.rps)).toFixed(2)}x; ` +
      `CPU/req saturated ${f3(med('switchyard', (m) => m.tp.cpuMsPerReq))} vs ${f3(med('sy-nolog', (m) => m.tp.cpuMsPerReq))} ms` +
      (REDIS_PID ? `; router + redis ${f3(med('switchyard', (m) => m.tp.cpuMsPerReq + m.tp.redisMsPerReq))} vs ${f3(med('sy-nolog', (m) => m.tp.cpuMsPerReq + m.tp.redisMsPerReq))} ms` : ''),
  );
}
if (sliced.on.length) {
  const quartiles = (xs) => {
    const v = [...xs].sort((a, b) => a - b);
    const at = (q) => v[Math.min(v.length - 1, Math.floor(q * v.length))];
    return `median ${signed(at(0.5))} (quartiles ${signed(at(0.25))} .. ${signed(at(0.75))})`;
  };
  const diff = (f) => sliced.on.map((l, i) => f(l) - f(sliced.off[i]));
  console.log(
    `SUMMARY logging on vs off, ${sliced.on.length} adjacent pairs of ${SLICE_S} s @${RATE}/s: p50 on minus off ${quartiles(diff((l) => l.p50))} ms; ` +
      `p99 ${quartiles(diff((l) => l.p99))} ms; p50 on ${f3(stats(sliced.on.map((l) => l.p50)).med)} vs off ${f3(stats(sliced.off.map((l) => l.p50)).med)} ms (medians)`,
  );
}
if (targets['sy-gov'] && targets.switchyard) {
  console.log(
    `SUMMARY governance (rate limit, key budget, spend rule, cache miss) vs none: added p50 @${RATE}/s ${f3(medAdded('sy-gov', (m) => m.high.lat.p50))} vs ${f3(medAdded('switchyard', (m) => m.high.lat.p50))} ms ` +
      `(governance adds ${signed(medAdded('sy-gov', (m) => m.high.lat.p50) - medAdded('switchyard', (m) => m.high.lat.p50))} ms); ` +
      `added p99 ${f3(medAdded('sy-gov', (m) => m.high.lat.p99))} vs ${f3(medAdded('switchyard', (m) => m.high.lat.p99))} ms; ` +
      `CPU/req ${f3(med('sy-gov', (m) => m.cpuMsPerReq))} vs ${f3(med('switchyard', (m) => m.cpuMsPerReq))} ms`,
  );
}
if (targets['sy-route'] && targets.switchyard) {
  console.log(
    `SUMMARY dynamic route (6 elements) vs a plain model name: added p50 @${RATE}/s ${f3(medAdded('sy-route', (m) => m.high.lat.p50))} vs ${f3(medAdded('switchyard', (m) => m.high.lat.p50))} ms ` +
      `(the route adds ${signed(medAdded('sy-route', (m) => m.high.lat.p50) - medAdded('switchyard', (m) => m.high.lat.p50))} ms); ` +
      `CPU/req ${f3(med('sy-route', (m) => m.cpuMsPerReq))} vs ${f3(med('switchyard', (m) => m.cpuMsPerReq))} ms`,
  );
}
if (targets['sy-hit']) {
  console.log(
    `SUMMARY cache HIT vs the upstream itself: p50 @${RATE}/s ${f3(med('sy-hit', (m) => m.high.lat.p50))} vs direct ${f3(med('direct', (m) => m.high.lat.p50))} ms ` +
      `(added ${signed(medAdded('sy-hit', (m) => m.high.lat.p50))} ms)` +
      (targets['sy-gov'] ? `; vs the same project's miss going to the upstream through the gateway (sy-gov) ${f3(med('sy-gov', (m) => m.high.lat.p50))} ms` : '') +
      `; stream TTFB @${LOW_RATE}/s ${f3(med('sy-hit', (m) => m.streaming.ttfb.p50))} vs ${f3(med('direct', (m) => m.streaming.ttfb.p50))} ms`,
  );
}
if (targets.portkey && targets.switchyard) {
  console.log(
    `SUMMARY switchyard vs portkey: added p50 @${RATE}/s ${f3(medAdded('switchyard', (m) => m.high.lat.p50))} vs ${f3(medAdded('portkey', (m) => m.high.lat.p50))} ms; ` +
      `added p99 ${f3(medAdded('switchyard', (m) => m.high.lat.p99))} vs ${f3(medAdded('portkey', (m) => m.high.lat.p99))} ms; ` +
      `added stream TTFB @${LOW_RATE}/s ${f3(medAdded('switchyard', (m) => m.streaming.ttfb.p50))} vs ${f3(medAdded('portkey', (m) => m.streaming.ttfb.p50))} ms, ` +
      `@${RATE}/s ${f3(medAdded('switchyard', (m) => m.streamingHigh.ttfb.p50))} vs ${f3(medAdded('portkey', (m) => m.streamingHigh.ttfb.p50))} ms; ` +
      `throughput ${(med('switchyard', (m) => m.tp.rps) / med('portkey', (m) => m.tp.rps)).toFixed(2)}x portkey; ` +
      `CPU/req ${(med('switchyard', (m) => m.cpuMsPerReq) / med('portkey', (m) => m.cpuMsPerReq)).toFixed(2)}x; RSS ${Math.max(...runs.switchyard.map((m) => m.rss)).toFixed(0)} MB`,
  );
}

stop();

/** Stops every child (SIGTERM), deletes the router's Redis keys a second later, and exits. */
function stop() {
  for (const child of children) {
    child.stopping = true;
    child.kill('SIGTERM');
  }
  setTimeout(() => void dropRedisKeys().finally(() => process.exit(0)), 1000);
  // Nothing after this call runs (the rest of the summary reads figures a throughput-only run does not have).
  return new Promise(() => {});
}

/** Deletes every key under the router's Redis prefix (each run has its own), so repeated runs leave nothing behind. */
async function dropRedisKeys() {
  if (!benchRedis.prefix) return;
  const { Redis } = await import('ioredis');
  const redis = new Redis(env0.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${benchRedis.prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (err) {
    console.error(`could not delete the bench's Redis keys (${benchRedis.prefix}*): ${err.message}`);
  } finally {
    redis.disconnect();
  }
}

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
