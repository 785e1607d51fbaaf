/**
 * OTLP AnyValue / KeyValue lists to plain JSON values, for both encodings: the OTLP JSON encoding
 * (int64 as string or number, bytes as base64) and protobufjs messages as decoded (int64 as Long,
 * bytes as Uint8Array, unset fields read from the prototype's defaults). Strings lose NUL
 * characters, which PostgreSQL's jsonb cannot hold.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const MAX_DEPTH = 32;

export function cleanString(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The field `camel` or its proto-name spelling `snake` (the protobuf JSON mapping accepts both). */
export function field(o: Record<string, unknown>, camel: string, snake?: string): unknown {
  const v = o[camel];
  return v === undefined && snake ? o[snake] : v;
}

/** A protobufjs Long (64-bit integer as two 32-bit halves). */
export interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
}

export function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as LongLike).low === 'number' && typeof (v as LongLike).high === 'number';
}

/** A Long as a BigInt, without Long's own (slow) decimal formatting. */
export function longToBigInt(v: LongLike): bigint {
  const u = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return !v.unsigned && v.high < 0 ? u - (1n << 64n) : u;
}

function intValue(v: unknown): Json {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : null;
  if (isLong(v)) {
    const n = v.high * 4294967296 + (v.low >>> 0);
    if (!v.unsigned && Number.isSafeInteger(n)) return n;
    const big = longToBigInt(v);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
  }
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  return null;
}

function doubleValue(v: unknown): Json {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isFinite(n) ? n : v; // "NaN", "Infinity" stay as the strings JSON uses for them
  }
  return null;
}

function bytesValue(v: unknown): Json {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (typeof v === 'string') return v;
  return null;
}

/**
 * The member of the AnyValue oneof that is set. Own properties only: a protobufjs message carries
 * every member's default ('' , false, 0) on its prototype, and only the one on the wire as its own.
 */
function own(o: Record<string, unknown>, camel: string, snake: string): unknown {
  return Object.hasOwn(o, camel) ? o[camel] : Object.hasOwn(o, snake) ? o[snake] : undefined;
}

export function anyValue(v: unknown, depth = 0): Json {
  if (!isRecord(v) || depth > MAX_DEPTH) return null;
  let x: unknown;
  if ((x = own(v, 'stringValue', 'string_value')) !== undefined) return typeof x === 'string' ? cleanString(x) : String(x);
  if ((x = own(v, 'boolValue', 'bool_value')) !== undefined) return x === true || x === 'true';
  if ((x = own(v, 'intValue', 'int_value')) !== undefined) return intValue(x);
  if ((x = own(v, 'doubleValue', 'double_value')) !== undefined) return doubleValue(x);
  if ((x = own(v, 'arrayValue', 'array_value')) !== undefined) {
    const values = isRecord(x) ? x['values'] : undefined;
    return Array.isArray(values) ? values.map((e) => anyValue(e, depth + 1)) : [];
  }
  if ((x = own(v, 'kvlistValue', 'kvlist_value')) !== undefined) {
    return keyValues(isRecord(x) ? x['values'] : undefined, depth + 1);
  }
  if ((x = own(v, 'bytesValue', 'bytes_value')) !== undefined) return bytesValue(x);
  return null;
}

/** A KeyValue list as an object; a repeated key keeps its last value. */
export function keyValues(list: unknown, depth = 0): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isRecord(kv) || typeof kv['key'] !== 'string') continue;
    out[cleanString(kv['key'])] = anyValue(kv['value'], depth);
  }
  return out;
}
