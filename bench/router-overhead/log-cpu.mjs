#!/usr/bin/env node
// What request logging costs the router per call, in CPU time (load-independent, unlike the router bench's
// throughput): the built RequestLogger + LogMetrics + LogAppender, on a real Redis, run in this process one call per
// event-loop turn (each record the first of its turn, its XADD its own write: what a router below saturation pays; a
// saturated router's turns hold several records, written together), a call as the router's bench makes it (the same
// request, completion, attempt and headers). Rounds of calls with logs on (bodies too) and off (`x-gateway-collect-log:
// false`: metrics only) alternate; prints the CPU per call of each and the difference, what logging adds. `--base DIR`
// (the root of another build, e.g. `git archive` of an older commit after `npm run build`, with node_modules) adds
// its logging (`base-on`, `base-off`) to the same rounds, for a before/after under the same load.
// Needs `npm run build` and Redis (REDIS_URL).
//
//   node bench/router-overhead/log-cpu.mjs [--rounds 10] [--calls 5000] [--base DIR] [--per-turn 1] [--redis-pid PID] [--content N]
//
// --content N: the user's message and the answer's text N characters of English-like words each (about 2 KB of
// bodies at 900, like bench/log-ingest's records) instead of the router bench's few words.
// --per-turn N: N calls per event-loop turn (a saturated router ends several requests per turn, and the appender
// writes a turn's records after its first together), each call ending its answer through `whenRecorded` as the edge
// does. --redis-pid PID: the redis-server behind REDIS_URL (best a private one); its CPU µs per call is printed too.
//   node --cpu-prof bench/router-overhead/log-cpu.mjs --only on     profile the logging path alone
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
const PER_TURN = Number(args['per-turn'] ?? 1);
const REDIS_PID = args['redis-pid'] ? Number(args['redis-pid']) : null;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
/** The redis-server's CPU time in µs (user + system). */
const redisCpuUs = () => {
  const fields = readFileSync(`/proc/${REDIS_PID}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
};
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
const CONTENT = args.content ? Number(args.content) : 0;
/** `chars` characters of words (with the quotes and newlines a real message has), or `short` when --content is not given. */
const content = (short, chars) => (CONTENT ? 'Please answer "in short".\n The order and the invoice of my account were refunded '.repeat(Math.ceil(chars / 58)).slice(0, chars) : short);
const body = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: content('Say hello.', CONTENT) }] };
const answer = { ...completion, choices: [{ ...completion.choices[0], message: { role: 'assistant', content: content(completion.choices[0].message.content, CONTENT) } }] };
const request = { model: body.model, messages: body.messages };
const meta = { provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c-bench', step: 0, attempts: 1, firstByteMs: 1, routing: null };
const tokens = { input: 12, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: 7 };
const result = { kind: 'completion', completion: answer, meta, usage: { provider: 'openai', model: 'gpt-4o-mini', tokens, cost: 0.0000060 } };
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
  log.end({ statusCode: 200, errorCode: null, result, responseText: JSON.stringify(answer) });
  // The answer's end, held until the record is written (builds that have it).
  log.whenRecorded?.(answered);
}
const answered = () => {};

const turn = () => new Promise((r) => setImmediate(r));
/** System (kernel) CPU µs per call of each variant's rounds, the turns alone subtracted. */
const system = Object.fromEntries(VARIANTS.map((v) => [v, []]));
/** Redis's CPU µs per call of each variant's rounds (--redis-pid). */
const redisPer = Object.fromEntries(VARIANTS.map((v) => [v, []]));
/** CPU µs per call of one round of `CALLS` calls, `PER_TURN` per event-loop turn (the turns alone subtracted). */
async function round(variant) {
  const r0 = REDIS_PID ? redisCpuUs() : 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i += PER_TURN) {
    for (let j = 0; j < PER_TURN; j++) call(variant);
    await turn();
  }
  const c = process.cpuUsage(c0);
  // Replies still coming are Redis's work for this round.
  await new Promise((r) => setTimeout(r, 50));
  if (REDIS_PID) redisPer[variant].push((redisCpuUs() - r0) / CALLS);
  const t0 = process.cpuUsage();
  for (let i = 0; i < CALLS; i += PER_TURN) await turn();
  const t = process.cpuUsage(t0);
  system[variant].push((c.system - t.system) / CALLS);
  return (c.user + c.system - t.user - t.system) / CALLS;
}

await redis.ping();
console.log(`log-cpu: ${ROUNDS} rounds of ${CALLS} calls per variant (${VARIANTS.join(', ')}), ${PER_TURN} per turn${CONTENT ? `, content ${CONTENT} characters` : ''}; load average ${load()}`);
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
if (REDIS_PID) console.log(`SUMMARY redis-server median µs CPU per call: ${VARIANTS.map((v) => `${v} ${median(redisPer[v]).toFixed(1)}`).join(', ')}`);
for (const b of Object.values(builds)) await b.appender.close();
await redis.del(logStreamKeys(prefix).stream);
redis.disconnect();
