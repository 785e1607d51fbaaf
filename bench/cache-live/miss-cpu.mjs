// CPU per streamed cache miss (the filler's side of the exact cache, docs/governance.md#cache): lookup (the fill
// lock), the stream captured as it passes to a client, its live publisher, then the entry stored. No waiter ever
// comes, so a build that writes live streams only for announced waiters writes none. Measures this process's CPU
// (process.cpuUsage) per miss and Redis's (INFO cpu, the whole server: noisy on a shared Redis).
//
//   node bench/cache-live/miss-cpu.mjs [--dist dist] [--misses 3000] [--concurrency 20] [--batches 20] [--rounds 3]
//
// `--dist` is the built tree to load (`npm run build` first); point it at another build to compare two versions.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseArgs, REDIS_URL, root } from '../common.mjs';

const args = parseArgs();
const dist = resolve(root, args.dist ?? 'dist');
const misses = Number(args.misses ?? 3000);
const concurrency = Number(args.concurrency ?? 20);
const batchesPerStream = Number(args.batches ?? 20);
const rounds = Number(args.rounds ?? 3);

const require = createRequire(import.meta.url);
const { Redis } = require('ioredis');
const { ResponseCache, captureStream } = require(resolve(dist, 'libs/routing/src/cache/response-cache.js'));

const redis = new Redis(REDIS_URL, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
const feeds = [];
const prefix = `bench-cache-live-${process.pid}`;
const cache = new ResponseCache({
  redis,
  prefix,
  maxEntryBytes: 1 << 20,
  lockMs: 30_000,
  live: { connect: () => feeds[feeds.push(new Redis(REDIS_URL)) - 1], maxFeeds: 32 },
});
const meta = { provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c1' };
const chunk = (i, last) => ({
  id: 'chatcmpl-bench',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta: { content: `word ${i} of the answer ` }, finish_reason: last ? 'stop' : null }],
});

/** One streamed miss, as the router's `store` runs it: the tail read batch by batch (a turn apart, as reads from a socket). */
async function miss(hash) {
  const found = await cache.lookup(hash, undefined, true);
  const token = found.fill ?? null;
  async function* tail() {
    for (let i = 1; i < batchesPerStream; i += 1) {
      await new Promise((r) => setImmediate(r));
      yield [chunk(i, i === batchesPerStream - 1)];
    }
  }
  const result = { kind: 'stream', head: [chunk(0, false)], tail: tail(), meta, usage: null };
  const live = cache.publisher(hash, token, meta);
  // A build without announced waiters has no `tellsWaiters`: its fill takes no `tell` either.
  const tell = () => live !== null && live.tellsWaiters === false;
  let stored;
  captureStream(
    result,
    1 << 20,
    (entry) => (stored = cache.fill(hash, token, entry, 60, tell())),
    () => (stored = cache.release(hash, token, tell())),
    live,
  );
  for await (const _ of result.tail);
  await stored;
}

async function redisCpu() {
  const info = await redis.info('cpu');
  const read = (k) => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return read('used_cpu_user') + read('used_cpu_sys');
}

async function round(r) {
  let next = 0;
  const worker = async () => {
    while (next < misses) await miss(`r${r}-${next++}`);
  };
  const cpu0 = process.cpuUsage();
  const redis0 = await redisCpu();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const redisUsed = (await redisCpu()) - redis0;
  return { cpuUsPerMiss: (cpu.user + cpu.system) / misses, redisUsPerMiss: (redisUsed * 1e6) / misses, wallMs: wall };
}

await miss('warmup-0');
for (let i = 0; i < 200; i += 1) await miss(`warmup-${i + 1}`);
const results = [];
for (let r = 0; r < rounds; r += 1) results.push(await round(r));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Clean up this run's keys (its own prefix only), counting the live streams its misses wrote.
let liveKeys = 0;
for (let cursor = '0'; ; ) {
  const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
  liveKeys += keys.filter((k) => k.includes(':live:')).length;
  if (keys.length) await redis.del(...keys);
  cursor = nextCursor;
  if (cursor === '0') break;
}
console.log(JSON.stringify({
  dist: args.dist ?? 'dist',
  misses,
  concurrency,
  batchesPerStream,
  rounds: results.map((x) => ({ cpuUsPerMiss: +x.cpuUsPerMiss.toFixed(1), redisUsPerMiss: +x.redisUsPerMiss.toFixed(1), wallMs: Math.round(x.wallMs) })),
  medianCpuUsPerMiss: +median(results.map((x) => x.cpuUsPerMiss)).toFixed(1),
  medianRedisUsPerMiss: +median(results.map((x) => x.redisUsPerMiss)).toFixed(1),
  liveStreamsWritten: liveKeys,
}));
cache.close();
for (const f of feeds) f.disconnect();
await redis.quit();
