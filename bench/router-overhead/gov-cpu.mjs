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
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { load, parseArgs, REDIS_URL, root } from '../common.mjs';

const args = parseArgs();
const rounds = Number(args.rounds ?? 8);
const calls = Number(args.calls ?? 2000);
// Calls started at this rate (open loop: each in its own timer turn, as requests arriving on sockets are), or with
// --rate 0, back to back over `--concurrency` workers (closed loop: calls share event-loop turns, and their writes).
const rate = Number(args.rate ?? 500);
const concurrency = Number(args.concurrency ?? 8);
const only = args.only ? new Set(args.only.split(',')) : null;
const require = createRequire(import.meta.url);
const { Redis } = require('ioredis');

const connection = { id: 'c1', organizationId: 'o1', provider: 'openai', slug: 'mock', name: 'mock', baseUrl: null, isDefault: true, credentials: {}, rateLimit: null, rateLimitPeriod: null };
const completion = (content) => ({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
});

/** One build's two clients (governed and plain), each on its own Redis connection (scripts are defined per client). */
function clientsOf(dir, tag) {
  const dist = resolve(dir, 'dist');
  const { GatewayClient } = require(`${dist}/libs/routing/src/pipeline/gateway-client.js`);
  const { GovernedExecution } = require(`${dist}/libs/routing/src/pipeline/governed-execution.js`);
  const { LimitsStage } = require(`${dist}/libs/routing/src/pipeline/limits-stage.js`);
  const { parseRequestControls } = require(`${dist}/libs/routing/src/pipeline/request-controls.js`);
  const { ResponseCache } = require(`${dist}/libs/routing/src/cache/response-cache.js`);
  const { ModelCatalog } = require(`${dist}/libs/routing/src/catalog/catalog.js`);
  const { Cancellation } = require(`${dist}/libs/routing/src/cancellation.js`);
  const { LimitStore, PriceCatalog, tokenUsageOf } = require(`${dist}/libs/metering/src/index.js`);
  const { DEFAULT_PROJECT_SETTINGS } = require(`${dist}/libs/types/src/index.js`);
  const redis = new Redis(REDIS_URL, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
  const prefix = `bench-gov-cpu-${process.pid}-${tag}`;
  const directory = { connectionsOf: async () => [connection] };
  const catalog = new ModelCatalog();
  const config = { router: { requestTimeoutMs: 60_000, retryAfterCapMs: 60_000 } };
  const usage = { provider: 'openai', model: 'gpt-4o-mini', tokens: { ...tokenUsageOf(undefined), input: 12, output: 9 }, cost: 0.0000072 };
  const executor = {
    execute: async (request) => ({
      kind: 'completion',
      completion: completion(`Hello! ${request.messages[0].content.length}`),
      meta: { provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c1', step: 0, attempts: 1, firstByteMs: 0.1 },
      usage,
    }),
  };
  const limits = new LimitsStage({ store: new LimitStore(redis, { timeoutMs: 3000 }), directory, prices: new PriceCatalog(), redisPrefix: prefix });
  const cache = new ResponseCache({ redis, prefix, maxEntryBytes: 1 << 20, lockMs: 30_000 });
  const governed = new GatewayClient(directory, catalog, executor, config, [limits], new GovernedExecution(cache));
  const plain = new GatewayClient(directory, catalog, executor, config);
  const rule = { id: 'r1', name: 'bench', enabled: true, amount: 1e9, window: 86_400, calendar_aligned: false, dimensions: [], created_at: new Date().toISOString() };
  const base = { organizationId: 'o1', slug: 'governed', name: 'governed', retentionDays: 30, quotas: null };
  const govProject = { ...base, id: 'p-gov', settings: { ...DEFAULT_PROJECT_SETTINGS, rate_limiting_limit: 1e9, rate_limiting_interval: 60, cache_ttl: 60 }, spendRules: [rule] };
  const plainProject = { ...base, id: 'p-plain', settings: DEFAULT_PROJECT_SETTINGS, spendRules: [] };
  const keyLimits = { rpmLimit: null, tpmLimit: null, maxParallelRequests: null, maxBudget: 1e6, budgetDuration: '1d', models: null };
  let seq = 0;
  const call = (client, project, limited) => {
    const request = { model: 'openai/gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: `Say hello. ${tag}-${process.pid}-${seq++}` }] };
    return client.execute({ organizationId: 'o1', keyId: 'k1', limits: limited ? keyLimits : null }, project, request, parseRequestControls({}), new Cancellation());
  };
  return {
    redis,
    prefix,
    writes: 0,
    runs: {
      [`${tag}gov`]: () => call(governed, govProject, true),
      [`${tag}plain`]: () => call(plain, plainProject, false),
    },
  };
}

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
  return (c.user + c.system) / n;
}

await Promise.all(builds.map((b) => (b.redis.status === 'ready' ? null : new Promise((r) => b.redis.once('ready', r)))));
// Socket writes to Redis (each one a round trip's request half): how many a call costs.
for (const b of builds) {
  const socket = b.redis.stream;
  const write = socket.write.bind(socket);
  socket.write = (...a) => ((b.writes += 1), write(...a));
}
for (const [, run] of runs) await measure(run, Math.min(calls, 2000)); // warm up (scripts loaded, code optimized)
const results = Object.fromEntries(runs.map(([name]) => [name, []]));
const writes = Object.fromEntries(runs.map(([name]) => [name, 0]));
for (let r = 0; r < rounds; r += 1) {
  const order = r % 2 ? [...runs].reverse() : runs;
  for (const [name, run] of order) {
    const b = buildOf(name);
    const w0 = b.writes;
    results[name].push(await measure(run, calls));
    await new Promise((res) => setTimeout(res, 20)); // writes still held back go out (and count) before the next run
    writes[name] += b.writes - w0;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`gov-cpu: ${rounds} rounds x ${calls} calls, ${rate > 0 ? `${rate} calls/s` : `closed loop, concurrency ${concurrency}`}; load ${load()}`);
for (const [name, xs] of Object.entries(results)) console.log(`${name.padEnd(10)} median ${median(xs).toFixed(1)} µs/call, ${(writes[name] / (rounds * calls)).toFixed(2)} Redis writes/call  rounds ${xs.map((x) => x.toFixed(1)).join(' ')}`);
for (const tag of builds.length > 1 ? ['', 'base-'] : ['']) {
  const gov = results[`${tag}gov`];
  const plain = results[`${tag}plain`];
  if (gov && plain) console.log(`${(tag || 'this ').padEnd(6)} governance adds ${median(gov.map((g, i) => g - plain[i])).toFixed(1)} µs/call (median of paired rounds)`);
}
for (const b of builds) {
  // This run's keys only (its own prefix; the counters' hash tags put them under `<prefix>:lim:{o1}:`).
  for await (const keys of b.redis.scanStream({ match: `${b.prefix}:*`, count: 1000 })) if (keys.length) await b.redis.del(...keys);
  b.redis.disconnect();
}
