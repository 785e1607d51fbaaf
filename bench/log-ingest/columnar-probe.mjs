#!/usr/bin/env node
// Probe: what PostgreSQL pays to *receive* a log batch as one jsonb array (the writer's $1, parsed into a jsonb tree)
// vs as typed column arrays (`unnest($1::uuid[], …)`): `columns`, node-pg's text-format arrays (each element parsed
// by its type's input function), or `binary`, arrays in PostgreSQL's binary format encoded here (array_recv: a uuid
// as 16 bytes, a timestamp as an int64, a text as its bytes, a jsonb as a version byte and its text); and what
// building each costs this process (JSON.parse of each record, the arrays). Backend CPU from /proc/<pid>/schedstat,
// rounds alternating. Receiving only: no insert, no rollups.
//
//   node bench/log-ingest/columnar-probe.mjs [--rounds 12] [--batch 1000] [--bodies x|text]
import { createRequire } from 'node:module';
import { BASE_DB, load, parseArgs, processCpu } from '../common.mjs';
import { logRecord } from './records.mjs';

const { Client } = createRequire(import.meta.url)('pg');
const args = parseArgs();
const ROUNDS = Number(args.rounds ?? 12);
const BATCH = Number(args.batch ?? 1000);
const BODIES = args.bodies ?? 'text';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ids = { org: '0191a2b3-0000-7000-8000-00000000000a', project: '0191a2b3-0000-7000-8000-00000000000b', key: null };

/** The record's columns as request_logs and request_log_bodies store them (type, value). */
const COLUMNS = [
  ['uuid', (r) => r.id], ['timestamptz', (r) => r.createdAt], ['uuid', (r) => r.projectId], ['uuid', (r) => r.organizationId],
  ['text', (r) => r.requestId], ['text', (r) => r.eventId], ['text', (r) => r.keyId], ['text', (r) => r.customerIdentifier],
  ['text', (r) => r.threadIdentifier], ['text', (r) => r.customIdentifier], ['text', (r) => r.documentJobId], ['text', (r) => r.path],
  ['text', (r) => r.requestType], ['text', (r) => r.modelRequested], ['text', (r) => r.model], ['text', (r) => r.provider],
  ['text', (r) => r.connectionId], ['smallint', (r) => r.statusCode], ['boolean', (r) => r.success], ['boolean', (r) => r.cached],
  ['smallint', (r) => r.step], ['jsonb', (r) => JSON.stringify(r.attempts)], ['bigint', (r) => r.tokens.input], ['bigint', (r) => r.tokens.cacheRead],
  ['bigint', (r) => r.tokens.cacheWrite], ['bigint', (r) => r.tokens.reasoning], ['bigint', (r) => r.tokens.output], ['numeric', (r) => r.cost],
  ['boolean', (r) => r.customCost], ['integer', (r) => Math.round(r.durationMs)], ['integer', (r) => Math.round(r.ttfbMs)], ['boolean', (r) => r.stream],
  ['jsonb', (r) => JSON.stringify(r.metadata)], ['jsonb', (r) => (r.routing ? JSON.stringify(r.routing) : null)], ['text', (r) => r.errorCode],
  ['jsonb', (r) => (r.dlp ? JSON.stringify(r.dlp) : null)], ['text', (r) => r.bodies?.request ?? null], ['text', (r) => r.bodies?.response ?? null],
  ['text', (r) => r.bodies?.requestContentType ?? null], ['text', (r) => r.bodies?.responseContentType ?? null],
  ['integer', (r) => r.bodies?.requestBytes ?? null], ['integer', (r) => r.bodies?.responseBytes ?? null], ['boolean', (r) => r.bodies?.truncated ?? null],
];
const UNNEST = `SELECT count(*)::int AS n FROM unnest(${COLUMNS.map(([t], i) => `$${i + 1}::${t}[]`).join(', ')})`;

/** Binary array element encoders per column type: [type oid, byte length of a value, write it at `at`]. */
const EPOCH_2000_MS = 946_684_800_000;
const text = [25, (v) => Buffer.byteLength(String(v)), (out, at, v) => out.write(String(v), at)];
const BINARY = {
  uuid: [2950, () => 16, (out, at, v) => out.write(v.replace(/-/g, ''), at, 'hex')],
  timestamptz: [1184, () => 8, (out, at, v) => out.writeBigInt64BE(BigInt(Date.parse(v) - EPOCH_2000_MS) * 1000n, at)],
  text,
  numeric: text, // sent as text[] and cast per element
  smallint: [21, () => 2, (out, at, v) => out.writeInt16BE(v, at)],
  integer: [23, () => 4, (out, at, v) => out.writeInt32BE(v, at)],
  bigint: [20, () => 8, (out, at, v) => out.writeBigInt64BE(BigInt(v), at)],
  boolean: [16, () => 1, (out, at, v) => out.writeUInt8(v ? 1 : 0, at)],
  jsonb: [3802, (v) => 1 + Buffer.byteLength(v), (out, at, v) => (out.writeUInt8(1, at), out.write(v, at + 1))],
};
/** A one-dimensional array in PostgreSQL's binary format (array_recv), nulls as length -1. */
function binaryArray(type, values) {
  const [oid, size, write] = BINARY[type];
  const sizes = values.map((v) => (v === null || v === undefined ? -1 : size(v)));
  const out = Buffer.allocUnsafe(20 + sizes.reduce((a, n) => a + 4 + Math.max(n, 0), 0));
  out.writeInt32BE(1, 0);
  out.writeInt32BE(sizes.includes(-1) ? 1 : 0, 4);
  out.writeUInt32BE(oid, 8);
  out.writeInt32BE(values.length, 12);
  out.writeInt32BE(1, 16);
  let at = 20;
  values.forEach((v, i) => {
    out.writeInt32BE(sizes[i], at);
    at += 4;
    if (sizes[i] >= 0) {
      write(out, at, v);
      at += sizes[i];
    }
  });
  return out;
}
const UNNEST_BINARY = `SELECT count(*)::int AS n FROM unnest(${COLUMNS.map(([t], i) => `$${i + 1}::${t === 'numeric' ? 'text' : t}[]`).join(', ')})`;
const JSONB = `SELECT count(*)::int AS n FROM jsonb_array_elements($1::jsonb)`;

const db = new Client({ connectionString: BASE_DB });
await db.connect();
const [{ pid }] = (await db.query('SELECT pg_backend_pid() AS pid')).rows;
let n = 0;
/** One batch as the stream holds it: one JSON array text per record (UTF-8 bytes). */
const entries = () => Array.from({ length: BATCH }, () => Buffer.from(JSON.stringify([logRecord(ids, n++, BODIES)])));
const variants = {
  jsonb: (batch) => ({ name: 'jsonb_probe', text: JSONB, values: [Buffer.concat([Buffer.from([1, 0x5b]), ...batch.flatMap((b, i) => [...(i ? [Buffer.from(',')] : []), b.subarray(1, b.length - 1)]), Buffer.from(']')])] }),
  columns: (batch) => {
    const records = batch.flatMap((b) => JSON.parse(b.toString('utf8')));
    return { name: 'columns_probe', text: UNNEST, values: COLUMNS.map(([, f]) => records.map(f)) };
  },
  binary: (batch) => {
    const records = batch.flatMap((b) => JSON.parse(b.toString('utf8')));
    return { name: 'binary_probe', text: UNNEST_BINARY, values: COLUMNS.map(([t, f]) => binaryArray(t, records.map(f))) };
  },
};
const NAMES = Object.keys(variants);
const cpu = Object.fromEntries(NAMES.map((name) => [name, { pg: [], node: [] }]));
const loadBefore = load();
for (let r = 0; r < ROUNDS + 2; r++) {
  for (const name of r % 2 ? [...NAMES].reverse() : NAMES) {
    const batch = entries();
    const c0 = processCpu(pid);
    const n0 = process.cpuUsage();
    const res = await db.query(variants[name](batch));
    const n1 = process.cpuUsage(n0);
    if (res.rows[0].n !== BATCH) throw new Error(`${name}: ${res.rows[0].n} rows`);
    if (r < 2) continue; // warm-up
    cpu[name].pg.push(processCpu(pid) - c0);
    cpu[name].node.push((n1.user + n1.system) / 1000);
  }
}
await db.end();
const k = BATCH / 1000;
console.log(`columnar-probe: ${ROUNDS} rounds of ${BATCH} records (bodies: ${BODIES}); load average ${loadBefore} before, ${load()} after`);
for (const [name, c] of Object.entries(cpu)) console.log(`  ${name.padEnd(8)} PostgreSQL median ${(median(c.pg) / k).toFixed(1)} ms, this process median ${(median(c.node) / k).toFixed(1)} ms per 1,000 records`);
