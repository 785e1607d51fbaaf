#!/usr/bin/env node
// What request logging costs the router per call, in CPU time (load-independent, unlike the router bench's
// throughput): the built RequestLogger + LogMetrics + LogAppender, on a real Redis, run in this process one call per
// event-loop turn (as under load: each record's XADD its own write), a call as the router's bench makes it (the same
// request, completion, attempt and headers). Rounds of calls with logs on (bodies too) and off (`x-gateway-collect-log:
// false`: metrics only) alternate; prints the CPU per call of each and the difference, what logging adds. `--base DIR`
// (the root of another build, e.g. `git archive` of an older commit after `npm run build`, with node_modules) adds
// its logging (`base-on`, `base-off`) to the same rounds, for a before/after under the same load.
// Needs `npm run build` and Redis (REDIS_URL).
//
//   node bench/router-overhead/log-cpu.mjs [--rounds 10] [--calls 5000] [--base DIR]
//   node --cpu-prof bench/router-overhead/log-cpu.mjs --only on     profile the logging path alone
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { load, parseArgs, REDIS_URL, root } from '../common.mjs';
import { completion } from './upstream-answer.mjs';

const require = createRequire(import.meta.url);
const { Registry } = require('prom-client');
const Redis = require('ioredis');

const args = parseArgs();
const ROUNDS = Number(args.rounds ?? 10);
const CALLS = Number(args.calls ?? 5000);
const VARIANTS = (args.only ?? (args.base ? 'on,off,base-on,base-off' : 'on,off')).split(',');

const prefix = `sybench-logcpu-${randomBytes(4).toString('hex')}`;
const redis = new Redis(REDIS_URL, { enableAutoPipelining: false });
/** A build's logging: its RequestLogger over its own LogAppender (on the shared connection) and LogMetrics. */
function build(dir) {
  const { RequestLogger, LogMetrics, parseRequestControls } = require(resolve(dir, 'dist/libs/routing/src/index.js'));
  const { LogAppender } = require(resolve(dir, 'dist/libs/metering/src/index.js'));
  const appender = new LogAppender({ redis, prefix, maxBuffered: 10_000 });
  return { appender, parseRequestControls, logger: new RequestLogger(appender, 10 * 1024 * 1024, new LogMetrics(new Registry())) };
}
const builds = { '': build(root), ...(args.base ? { 'base-': build(resolve(args.base)) } : {}) };
const { logStreamKeys } = require(resolve(root, 'dist/libs/metering/src/index.js'));
const { DEFAULT_PROJECT_SETTINGS } = require(resolve(root, 'dist/libs/types/src/index.js'));

const project = { id: 'p-bench', organizationId: 'o-bench', slug: 'default', name: 'Default', retentionDays: 30, settings: { ...DEFAULT_PROJECT_SETTINGS, collect_logs: true }, spendRules: [], quotas: null };
const caller = { organizationId: 'o-bench', keyId: 'k-bench' };
const body = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello.' }] };
const request = { model: body.model, messages: body.messages };
const meta = { provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c-bench', step: 0, attempts: 1, firstByteMs: 1, routing: null };
const tokens = { input: 12, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: 7 };
const result = { kind: 'completion', completion, meta, usage: { provider: 'openai', model: 'gpt-4o-mini', tokens, cost: 0.0000060 } };
const headers = { on: { 'content-type': 'application/json' }, off: { 'content-type': 'application/json', 'x-gateway-collect-log': 'false' } };

let n = 0;
/** One call's logging, as the chat endpoint does it (begin, attempt, headers, first byte, end with the answer's text). */
function call(variant) {
  const [, buildName, logs] = /^(base-)?(on|off)$/.exec(variant);
  const { logger, parseRequestControls } = builds[buildName ?? ''];
  const controls = parseRequestControls(headers[logs], {});
  const origin = { requestId: `req-${n++}`, path: '/v1/chat/completions', requestType: 'chat.completions' };
  const log = logger.begin(origin, caller, project, request, controls, body);
  log.attempts?.push({ step: 0, provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c-bench', status: 200, durationMs: 0.4, errorCode: null });
  const out = {};
  log.addHeaders(out);
  log.firstByte();
  log.end({ statusCode: 200, errorCode: null, result, responseText: JSON.stringify(completion) });
}

const turn = () => new Promise((r) => setImmediate(r));
/** System (kernel) CPU µs per call of each variant's rounds, the turns alone subtracted. */
const system = Object.fromEntries(VARIANTS.map((v) => [v, []]));
/** CPU µs per call of one round of `CALLS` calls, one per event-loop turn (the turns alone subtracted). */
async function round(variant) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    call(variant);
    await turn();
  }
  const c = process.cpuUsage(c0);
  const t0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) await turn();
  const t = process.cpuUsage(t0);
  system[variant].push((c.system - t.system) / CALLS);
  return (c.user + c.system - t.user - t.system) / CALLS;
}

await redis.ping();
console.log(`log-cpu: ${ROUNDS} rounds of ${CALLS} calls per variant (${VARIANTS.join(', ')}); load average ${load()}`);
for (const v of VARIANTS) await round(v); // warm-up
const per = Object.fromEntries(VARIANTS.map((v) => [v, []]));
for (let r = 1; r <= ROUNDS; r++) {
  for (const v of VARIANTS) per[v].push(await round(v));
  console.log(`#${r} ${VARIANTS.map((v) => `${v} ${per[v].at(-1).toFixed(1)}`).join(' | ')} µs CPU per call | load ${load()}`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = VARIANTS.map((v) => `${v} ${median(per[v]).toFixed(1)} (system ${median(system[v].slice(-ROUNDS)).toFixed(1)})`).join(', ');
/** The median over rounds of `a` minus `b` in the same round. */
const paired = (a, b) => median(per[a].map((x, i) => x - per[b][i])).toFixed(1);
const adds = Object.keys(builds).filter((b) => per[`${b}on`] && per[`${b}off`]).map((b) => `${b}on - ${b}off ${paired(`${b}on`, `${b}off`)}`);
if (per.on && per['base-on']) adds.push(`on - base-on ${paired('on', 'base-on')}`);
console.log(`SUMMARY median µs CPU per call: ${summary}${adds.length ? `; paired differences (median over rounds): ${adds.join(', ')} µs` : ''}`);
for (const b of Object.values(builds)) await b.appender.close();
await redis.del(logStreamKeys(prefix).stream);
redis.disconnect();
