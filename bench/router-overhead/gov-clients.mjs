// The request pipeline of one build without the HTTP around it, for gov-cpu.mjs and gov-timeline.mjs: the built
// GatewayClient (resolve, admit, the cache's look and fill, settle) on the real Redis, its executor answering a
// completion at once (no upstream), with the project of `run.mjs --gov true` (a gateway rate limit, a key budget, a
// spend rule, the cache on; every request differs: all misses) and the same client with no governance.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { REDIS_URL } from '../common.mjs';

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

/**
 * One build's two clients (`${tag}gov` and `${tag}plain` in `runs`), each on its own Redis connection (scripts are
 * defined per client); `onUpstream` is told when a call reaches its executor (where it would go upstream).
 */
export function clientsOf(dir, tag, onUpstream = () => undefined) {
  const dist = resolve(dir, 'dist');
  const { GatewayClient } = require(`${dist}/libs/routing/src/pipeline/gateway-client.js`);
  const { GovernedExecution } = require(`${dist}/libs/routing/src/pipeline/governed-execution.js`);
  const { LimitsStage } = require(`${dist}/libs/routing/src/pipeline/limits-stage.js`);
  const { parseRequestControls } = require(`${dist}/libs/routing/src/pipeline/request-controls.js`);
  const { ResponseCache } = require(`${dist}/libs/routing/src/cache/response-cache.js`);
  const { ModelCatalog } = require(`${dist}/libs/routing/src/catalog/catalog.js`);
  const { Cancellation } = require(`${dist}/libs/routing/src/cancellation.js`);
  const { LimitStore, PriceCatalog, tokenUsageOf, warmTokenizer } = require(`${dist}/libs/metering/src/index.js`);
  const { DEFAULT_PROJECT_SETTINGS } = require(`${dist}/libs/types/src/index.js`);
  // Loaded before any call, as the router does at start: loaded inside the first call instead, its ~15 MB of ranks made
  // V8 pretenure allocation sites the calls use, and every call's objects were then promoted (bench/README.md).
  warmTokenizer();
  const redis = new Redis(REDIS_URL, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
  const prefix = `bench-gov-cpu-${process.pid}-${tag}`;
  const directory = { connectionsOf: async () => [connection] };
  const catalog = new ModelCatalog();
  const config = { router: { requestTimeoutMs: 60_000, retryAfterCapMs: 60_000 } };
  const usage = { provider: 'openai', model: 'gpt-4o-mini', tokens: { ...tokenUsageOf(undefined), input: 12, output: 9 }, cost: 0.0000072 };
  const executor = {
    execute: async (request) => {
      onUpstream();
      return {
        kind: 'completion',
        completion: completion(`Hello! ${request.messages[0].content.length}`),
        meta: { provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c1', step: 0, attempts: 1, firstByteMs: 0.1 },
        usage,
      };
    },
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

/** Counts the socket writes of each build's Redis client (each one a round trip's request half) in `b.writes`; `onWrite` is told of each. */
export function countWrites(builds, onWrite = () => undefined) {
  for (const b of builds) {
    const socket = b.redis.stream;
    const write = socket.write.bind(socket);
    socket.write = (...a) => ((b.writes += 1), onWrite(b), write(...a));
  }
}

/** Waits until every build's client is connected. */
export const ready = (builds) => Promise.all(builds.map((b) => (b.redis.status === 'ready' ? null : new Promise((r) => b.redis.once('ready', r)))));

/** Deletes this run's keys (its own prefix; the counters' hash tags put them under `<prefix>:lim:{o1}:`) and disconnects. */
export async function cleanUp(builds) {
  for (const b of builds) {
    for await (const keys of b.redis.scanStream({ match: `${b.prefix}:*`, count: 1000 })) if (keys.length) await b.redis.del(...keys);
    b.redis.disconnect();
  }
}
