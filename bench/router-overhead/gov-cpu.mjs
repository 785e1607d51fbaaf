// CPU per governed cache miss in the request pipeline, without the HTTP around it: the built GatewayClient (resolve,
// admit, the cache's look and fill, settle) on the real Redis, its executor answering a completion at once (no
// upstream), with the project of `run.mjs --gov true` (a gateway rate limit, a key budget, a spend rule, the cache
// on; every request differs: all misses) vs the same client with no governance (no admission stage, no cache).
// Rounds alternate between the two (and the builds, with --base), and it prints the median CPU µs per call of each
// and the paired difference: what governance adds to a call that goes upstream. `npm run build` first.
//
//   node --single-threaded-gc --max-semi-space-size=4 --heap-growing-percent=25 bench/router-overhead/gov-cpu.mjs
//     [--rounds 8] [--calls 2000] [--rate 500 | --rate 0 --concurrency 8] [--base DIR] [--only gov,plain]
//
// `--base DIR`: the root of another build (its `dist/`) run in the same rounds as `base-gov` / `base-plain`, for a
// before/after under the same load. Run it under `node --cpu-prof` to profile the governed path alone.
import { resolve } from 'node:path';
import { load, parseArgs, root } from '../common.mjs';
import { cleanUp, clientsOf, countWrites, ready } from './gov-clients.mjs';

const args = parseArgs();
const rounds = Number(args.rounds ?? 8);
const calls = Number(args.calls ?? 2000);
// Calls started at this rate (open loop: each in its own timer turn, as requests arriving on sockets are), or with
// --rate 0, back to back over `--concurrency` workers (closed loop: calls share event-loop turns, and their writes).
const rate = Number(args.rate ?? 500);
const concurrency = Number(args.concurrency ?? 8);
const only = args.only ? new Set(args.only.split(',')) : null;
const builds = [clientsOf(root, '')];
if (args.base) builds.push(clientsOf(resolve(args.base), 'base-'));
const runs = Object.entries(Object.assign({}, ...builds.map((b) => b.runs))).filter(([name]) => !only || only.has(name.replace(/^base-/, '')));
const buildOf = (name) => builds[name.startsWith('base-') ? 1 : 0];

async function measure(run, n) {
  const c0 = process.cpuUsage();
  if (rate > 0) {
    const t0 = performance.now();
    let started = 0;
    let finished = 0;
    await new Promise((done) => {
      const tick = () => {
        const due = Math.min(n, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
        while (started < due) {
          started += 1;
          run().then(() => (finished += 1) === n && done());
        }
        if (started < n) setTimeout(tick, 1);
      };
      tick();
    });
  } else {
    let left = n;
    const worker = async () => {
      while (left-- > 0) await run();
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / n, system: c.system / n };
}

await ready(builds);
// Socket writes to Redis (each one a round trip's request half): how many a call costs.
countWrites(builds);
for (const [, run] of runs) await measure(run, Math.min(calls, 2000)); // warm up (scripts loaded, code optimized)
const results = Object.fromEntries(runs.map(([name]) => [name, []]));
const writes = Object.fromEntries(runs.map(([name]) => [name, 0]));
const system = Object.fromEntries(runs.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r += 1) {
  const order = r % 2 ? [...runs].reverse() : runs;
  for (const [name, run] of order) {
    const b = buildOf(name);
    const w0 = b.writes;
    const { cpu, system: sys } = await measure(run, calls);
    results[name].push(cpu);
    system[name].push(sys);
    await new Promise((res) => setTimeout(res, 20)); // writes still held back go out (and count) before the next run
    writes[name] += b.writes - w0;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`gov-cpu: ${rounds} rounds x ${calls} calls, ${rate > 0 ? `${rate} calls/s` : `closed loop, concurrency ${concurrency}`}; load ${load()}`);
for (const [name, xs] of Object.entries(results)) console.log(`${name.padEnd(10)} median ${median(xs).toFixed(1)} µs/call (system ${median(system[name]).toFixed(1)}), ${(writes[name] / (rounds * calls)).toFixed(2)} Redis writes/call  rounds ${xs.map((x) => x.toFixed(1)).join(' ')}`);
for (const tag of builds.length > 1 ? ['', 'base-'] : ['']) {
  const gov = results[`${tag}gov`];
  const plain = results[`${tag}plain`];
  if (gov && plain) console.log(`${(tag || 'this ').padEnd(6)} governance adds ${median(gov.map((g, i) => g - plain[i])).toFixed(1)} µs/call (median of paired rounds)`);
}
await cleanUp(builds);
