import { randomBytes } from 'node:crypto';

/** The trace a request joins: the caller's trace id and the span its gateway span becomes a child of. */
export interface TraceContext {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** The caller's span (16 lowercase hex characters), null when the gateway's span is the trace's root. */
  parentSpanId: string | null;
  /** W3C trace flags (bit 0: sampled). */
  flags: number;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO = /^0+$/;

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.trim().toLowerCase();

/**
 * The incoming trace context: W3C `traceparent` (version 00, or a later version read as 00), else Cloudflare's
 * `cf-aig-otel-trace-id` with `cf-aig-otel-parent-span-id` (the parent optional). A malformed or all-zero value is
 * ignored, as the W3C recommendation says (the request is then not traced, never refused). Pure.
 */
export function parseTraceContext(headers: Headers): TraceContext | null {
  const tp = one(headers['traceparent']);
  if (tp !== undefined) {
    const m = TRACEPARENT.exec(tp);
    // Version ff is invalid; version 00 has exactly four fields.
    if (m && m[1] !== 'ff' && !(m[1] === '00' && m[5]) && !ZERO.test(m[2]!) && !ZERO.test(m[3]!)) {
      return { traceId: m[2]!, parentSpanId: m[3]!, flags: parseInt(m[4]!, 16) };
    }
  }
  const traceId = one(headers['cf-aig-otel-trace-id']);
  if (traceId === undefined || !TRACE_ID.test(traceId) || ZERO.test(traceId)) return null;
  const parent = one(headers['cf-aig-otel-parent-span-id']);
  return { traceId, parentSpanId: parent && SPAN_ID.test(parent) && !ZERO.test(parent) ? parent : null, flags: 1 };
}

/** A fresh trace of its own, for a request that brought none (OTEL_GATEWAY_SPANS=all). */
export function newTraceContext(): TraceContext {
  return { traceId: randomHex(16), parentSpanId: null, flags: 1 };
}

/** A new span id (16 hex characters). */
export const newSpanId = (): string => randomHex(8);

/** Random ids drawn from a pooled buffer: one `randomBytes` call per 512 span ids, not per id. */
const POOL_BYTES = 4096;
let pool = randomBytes(POOL_BYTES);
let offset = 0;
function randomHex(bytes: number): string {
  if (offset + bytes > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return ZERO.test(hex) ? randomHex(bytes) : hex;
}

/** The `traceparent` header value of a span (to propagate it). */
export const traceparentOf = (traceId: string, spanId: string, flags = 1): string => `00-${traceId}-${spanId}-${flags.toString(16).padStart(2, '0')}`;
