// Where one governed cache miss's wall time goes (gov-clients.mjs: the pipeline without HTTP, its executor answering
// at once), calls started one at a time at a moderate rate so that each is alone on the Redis connection: from the
// call's start to its first Redis write (the reservation and the cache look, pipelined), to the reply's first
// bytes, to the executor (where the call would go upstream), to the result; then when its held-back writes (the
// settlement, the cache fill) left. Medians and p99 in µs, and Redis's own time per EVALSHA (INFO commandstats,
// the difference over the run: other clients' scripts on the same Redis count too). `npm run build` first.
//
//   node --single-threaded-gc --max-semi-space-size=4 --heap-growing-percent=25 bench/router-overhead/gov-timeline.mjs
//     [--calls 2000] [--rate 100] [--base DIR]
import { resolve } from 'node:path';
import { load, parseArgs, root } from '../common.mjs';
import { cleanUp, clientsOf, countWrites, ready } from './gov-clients.mjs';

const args = parseArgs();
const calls = Number(args.calls ?? 2000);
const rate = Number(args.rate ?? 100);

/** The timestamps of the call in flight (one at a time). */
let marks = null;
const builds = [clientsOf(root, '', () => marks && (marks.upstream ??= performance.now()))];
if (args.base) builds.push(clientsOf(resolve(args.base), 'base-', () => marks && (marks.upstream ??= performance.now())));
/** The last call's end, until its held-back writes go. */
let ended = null;
await ready(builds);
countWrites(builds, () => {
  const now = performance.now();
  if (marks && marks.write === undefined) marks.write = now;
  if (ended && ended.deferred === undefined) ended.deferred = now;
});
for (const b of builds) b.redis.stream.prependListener('data', () => marks && marks.write !== undefined && (marks.reply ??= performance.now()));

const evalsha = async (redis) => {
  const line = (await redis.info('commandstats')).split('\n').find((l) => l.startsWith('cmdstat_evalsha:')) ?? '';
  return { calls: Number(/calls=(\d+)/.exec(line)?.[1] ?? 0), usec: Number(/usec=(\d+)/.exec(line)?.[1] ?? 0) };
};

async function timeline(run, n) {
  const rows = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    marks = { start: t0 };
    await run();
    const end = performance.now();
    const m = marks;
    marks = null;
    ended = { end };
    rows.push({ ...m, end, ended });
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 / rate - (performance.now() - t0))));
  }
  return rows;
}

const q = (xs, p) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
};
const us = (x) => (Number.isFinite(x) ? (x * 1000).toFixed(0).padStart(6) : '     -');

console.log(`gov-timeline: ${calls} calls per build, one at a time at ${rate}/s; load ${load()}`);
for (const [b, tag] of builds.map((b, i) => [b, i ? 'base-' : ''])) {
  await timeline(b.runs[`${tag}gov`], 200); // warm up
  const r0 = await evalsha(b.redis);
  const rows = await timeline(b.runs[`${tag}gov`], calls);
  const r1 = await evalsha(b.redis);
  const spans = {
    'start -> Redis write (reservation + look)': rows.map((r) => r.write - r.start),
    'write -> reply read (round trip)': rows.map((r) => r.reply - r.write),
    'reply -> executor (upstream request)': rows.map((r) => r.upstream - r.reply),
    'executor -> result': rows.map((r) => r.end - r.upstream),
    'start -> result': rows.map((r) => r.end - r.start),
    'result -> held-back writes sent': rows.map((r) => r.ended.deferred - r.end),
  };
  console.log(`${tag || 'this '} build, µs        median    p90    p99`);
  for (const [name, xs] of Object.entries(spans)) console.log(`  ${name.padEnd(44)} ${us(q(xs, 0.5))} ${us(q(xs, 0.9))} ${us(q(xs, 0.99))}`);
  const n = r1.calls - r0.calls;
  console.log(`  Redis EVALSHA: ${n} calls (${(n / calls).toFixed(2)} per call), ${n ? ((r1.usec - r0.usec) / n).toFixed(1) : '-'} µs each in Redis`);
}
await cleanUp(builds);
