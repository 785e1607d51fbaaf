// CPU per LimitsStage.admit + settle on a governed call (gateway rate limit, key budget, spend rule), in isolation: the
// store answers at once (no Redis), so only the stage's own work is measured. `npm run build` first.
//   node bench/router-overhead/admit-cpu.cjs [dist dir] [calls per round]
const { resolve } = require('node:path');
const dist = resolve(process.argv[2] || resolve(__dirname, '../../dist'));
const { LimitsStage } = require(`${dist}/libs/routing/src/pipeline/limits-stage.js`);
const { parseRequestControls } = require(`${dist}/libs/routing/src/pipeline/request-controls.js`);
const { PriceCatalog } = require(`${dist}/libs/metering/src/index.js`);
const { DEFAULT_PROJECT_SETTINGS } = require(`${dist}/libs/types/src/index.js`);
const store = { reserve: async (counters) => ({ ok: true, used: counters.map(() => 1) }), adjust: async () => undefined, release: async () => undefined };
const connection = { id: 'c1', organizationId: 'o1', provider: 'openai', slug: 'oa', name: 'oa', baseUrl: null, isDefault: true, credentials: {}, rateLimit: null, rateLimitPeriod: null };
const stage = new LimitsStage({ store, directory: { connectionsOf: async () => [connection] }, prices: new PriceCatalog(), redisPrefix: 'sy' });
const rule = { id: 'r1', name: 'cap', enabled: true, amount: 100, window: 86400, calendar_aligned: true, dimensions: [{ type: 'model', mode: 'filter', value: 'gpt-4o-mini' }], created_at: '2026-01-01T00:00:00Z' };
const project = { id: 'p1', organizationId: 'o1', slug: 'default', name: 'D', retentionDays: 30, settings: { ...DEFAULT_PROJECT_SETTINGS, rate_limiting_limit: 1e9, rate_limiting_interval: 60 }, spendRules: [rule], quotas: null };
const limits = { rpmLimit: null, tpmLimit: null, maxParallelRequests: null, maxBudget: 1000, budgetDuration: '1d', models: null };
const controls = parseRequestControls({});
const request = { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'Hello there, how are you today? Tell me a story.' }] };
const ctx = () => ({ call: { organizationId: 'o1', keyId: 'k1', limits }, operation: 'chat', project, request, controls, targets: [{ connection, upstreamModel: 'gpt-4o-mini', requested: 'gpt-4o-mini' }] });
const usage = { provider: 'openai', model: 'gpt-4o-mini', tokens: { input: 10, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: 20 }, cost: 0.0001 };
(async () => {
  const N = Number(process.argv[3] ?? 100000);
  for (let i = 0; i < 20000; i++) (await stage.admit(ctx())).settle(usage);
  const out = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) (await stage.admit(ctx())).settle(usage);
    const c = process.cpuUsage(c0);
    out.push((c.user + c.system) / N);
  }
  out.sort((a, b) => a - b);
  console.log(JSON.stringify({ dist, usPerCall: out.map((x) => +x.toFixed(2)), median: +out[2].toFixed(2) }));
})();
