import type { SpanRecord } from '@switchyard/persistence';
import { cleanString, field, isLong, keyValues, longToBigInt, type Json } from './any-value';

/** How ids arrive: hex strings in OTLP JSON, bytes in protobuf. */
export type IdEncoding = 'hex' | 'bytes';

export interface NormalizedBatch {
  spans: SpanRecord[];
  rejected: number;
  /** The first few reasons spans were rejected, for `partialSuccess.errorMessage`. */
  errors: string[];
}

export class UndecodableRequestError extends Error {}

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const MAX_ERRORS = 5;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new UndecodableRequestError(`${what} must be an array`);
  return v;
}

/** A trace or span id as lowercase hex, or null when missing; `bytes` = its length in bytes. */
function id(v: unknown, encoding: IdEncoding, bytes: number): string | null | false {
  if (v === undefined || v === null) return null;
  let hex: string;
  if (encoding === 'bytes') {
    // An unset bytes field of a protobufjs message is its prototype's empty default.
    if (!(v instanceof Uint8Array)) return Array.isArray(v) && v.length === 0 ? null : false;
    if (v.length === 0) return null;
    hex = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  } else {
    if (typeof v !== 'string') return false;
    if (v === '') return null;
    hex = v.toLowerCase();
  }
  if (hex.length !== bytes * 2 || !/^[0-9a-f]+$/.test(hex) || /^0+$/.test(hex)) return false;
  return hex;
}

/** An unsigned 64-bit nanosecond time as a decimal string (OTLP JSON sends strings or numbers). */
function nanos(v: unknown): string | null {
  if (v === undefined || v === null) return '0';
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) {
    const n = BigInt(v);
    return n <= 0x7fffffffffffffffn ? n.toString() : null;
  }
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v).toString();
  if (isLong(v)) {
    const n = longToBigInt(v);
    return n >= 0n && n <= 0x7fffffffffffffffn ? n.toString() : null;
  }
  return null;
}

function enumValue(v: unknown, names: Record<string, number>, max: number): number | null {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' ? (names[v] ?? (/^\d+$/.test(v) ? Number(v) : NaN)) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max ? n : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? cleanString(v) : null;
}

function num(v: Json | undefined): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function first(attrs: Record<string, Json>, ...keys: string[]): Json | undefined {
  for (const k of keys) if (attrs[k] !== undefined && attrs[k] !== null) return attrs[k];
  return undefined;
}

/**
 * GenAI semantic-convention columns (current names first, then older and Cloudflare spellings). The model is the one
 * that answered (`gen_ai.response.model`) when the span names it, else the one asked for.
 */
export function genAiColumns(attrs: Record<string, Json>): Pick<SpanRecord, 'gen_ai_model' | 'gen_ai_provider' | 'input_tokens' | 'output_tokens' | 'cost'> {
  const model = first(attrs, 'gen_ai.response.model', 'gen_ai.request.model');
  const provider = first(attrs, 'gen_ai.provider.name', 'gen_ai.system', 'gen_ai.model.provider');
  const input = num(first(attrs, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'));
  const output = num(first(attrs, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'));
  return {
    gen_ai_model: typeof model === 'string' ? model : null,
    gen_ai_provider: typeof provider === 'string' ? provider : null,
    input_tokens: input === null ? null : Math.trunc(input),
    output_tokens: output === null ? null : Math.trunc(output),
    cost: num(first(attrs, 'gen_ai.usage.cost')),
  };
}

/**
 * Turns an ExportTraceServiceRequest (OTLP JSON, or protobuf decoded to the same shape) into span
 * records. A structurally broken request throws UndecodableRequestError (400); a span that breaks
 * the rules (id lengths, times, enum values) is counted in `rejected` and the rest are kept
 * (partial success).
 */
export function normalizeExportRequest(request: unknown, encoding: IdEncoding): NormalizedBatch {
  if (!isRecord(request)) throw new UndecodableRequestError('the body must be an ExportTraceServiceRequest object');
  const out: NormalizedBatch = { spans: [], rejected: 0, errors: [] };
  const reject = (msg: string) => {
    out.rejected++;
    if (out.errors.length < MAX_ERRORS) out.errors.push(msg);
  };
  for (const rs of list(field(request, 'resourceSpans', 'resource_spans'), 'resourceSpans')) {
    if (!isRecord(rs)) throw new UndecodableRequestError('resourceSpans entries must be objects');
    const resourceObj = field(rs, 'resource');
    const resource = keyValues(isRecord(resourceObj) ? resourceObj['attributes'] : undefined);
    const service = typeof resource['service.name'] === 'string' ? resource['service.name'] : null;
    for (const ss of list(field(rs, 'scopeSpans', 'scope_spans'), 'scopeSpans')) {
      if (!isRecord(ss)) throw new UndecodableRequestError('scopeSpans entries must be objects');
      const scopeObj = field(ss, 'scope');
      const scope = isRecord(scopeObj)
        ? {
            name: cleanString(typeof scopeObj['name'] === 'string' ? scopeObj['name'] : ''),
            version: str(scopeObj['version']),
            attributes: keyValues(scopeObj['attributes']),
          }
        : null;
      for (const span of list(field(ss, 'spans'), 'spans')) {
        if (!isRecord(span)) throw new UndecodableRequestError('spans entries must be objects');
        const record = normalizeSpan(span, encoding, resource, service, scope, reject);
        if (record) out.spans.push(record);
      }
    }
  }
  return out;
}

function normalizeSpan(
  span: Record<string, unknown>,
  encoding: IdEncoding,
  resource: Record<string, Json>,
  service: string | null,
  scope: SpanRecord['scope'],
  reject: (msg: string) => void,
): SpanRecord | null {
  const traceId = id(field(span, 'traceId', 'trace_id'), encoding, 16);
  const spanId = id(field(span, 'spanId', 'span_id'), encoding, 8);
  const label = typeof span['name'] === 'string' ? `span '${span['name']}'` : 'a span';
  if (!traceId) return reject(`${label}: traceId must be 16 bytes (32 hex characters), not all zero`), null;
  if (!spanId) return reject(`${label}: spanId must be 8 bytes (16 hex characters), not all zero`), null;
  const parent = id(field(span, 'parentSpanId', 'parent_span_id'), encoding, 8);
  if (parent === false) return reject(`${label}: parentSpanId must be empty or 8 bytes (16 hex characters)`), null;
  const start = nanos(field(span, 'startTimeUnixNano', 'start_time_unix_nano'));
  const end = nanos(field(span, 'endTimeUnixNano', 'end_time_unix_nano'));
  if (start === null || end === null) return reject(`${label}: start and end times must be unsigned 64-bit nanoseconds`), null;
  const kind = enumValue(span['kind'], SPAN_KINDS, 5);
  if (kind === null) return reject(`${label}: kind must be a SpanKind (0-5)`), null;
  const statusObj = isRecord(span['status']) ? span['status'] : {};
  const statusCode = enumValue(statusObj['code'], STATUS_CODES, 2);
  if (statusCode === null) return reject(`${label}: status.code must be 0, 1 or 2`), null;

  const events: SpanRecord['events'] = [];
  for (const e of Array.isArray(span['events']) ? span['events'] : []) {
    if (!isRecord(e)) continue;
    events.push({
      name: cleanString(typeof e['name'] === 'string' ? e['name'] : ''),
      time_unix_nano: nanos(field(e, 'timeUnixNano', 'time_unix_nano')) ?? '0',
      attributes: keyValues(e['attributes']),
    });
  }
  const links: SpanRecord['links'] = [];
  for (const l of Array.isArray(span['links']) ? span['links'] : []) {
    if (!isRecord(l)) continue;
    const lt = id(field(l, 'traceId', 'trace_id'), encoding, 16);
    const ls = id(field(l, 'spanId', 'span_id'), encoding, 8);
    if (!lt || !ls) return reject(`${label}: link ids must be 16 and 8 bytes`), null;
    links.push({ trace_id: lt, span_id: ls, trace_state: str(field(l, 'traceState', 'trace_state')), attributes: keyValues(l['attributes']) });
  }
  const attributes = keyValues(span['attributes']);
  // protobufjs messages have every scalar on the prototype: `flags` counts only when on the wire.
  const flags = Object.hasOwn(span, 'flags') ? span['flags'] : undefined;
  return {
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: parent,
    name: cleanString(typeof span['name'] === 'string' ? span['name'] : ''),
    kind,
    service_name: service,
    start_ns: start,
    end_ns: end,
    status_code: statusCode,
    status_message: str(statusObj['message']),
    attributes,
    resource,
    scope,
    events,
    links,
    trace_state: str(field(span, 'traceState', 'trace_state')),
    flags: typeof flags === 'number' && Number.isInteger(flags) ? flags : null,
    ...genAiColumns(attributes),
  };
}
