/**
 * A batch of request log records as typed column arrays for the insert (`unnest($1::text[], …)`), in PostgreSQL's
 * binary array format. Parsing the batch as one jsonb parameter was about half of the insert's PostgreSQL CPU (about
 * 45 µs per record: jsonb is built field by field); V8's JSON.parse and these arrays cost the writer less than that
 * saves (bench/README.md, "Where the log writer's PostgreSQL CPU goes now").
 */

/** How a field is sent: its `->>` text (cast in SQL as before), a jsonb document (JSON null: SQL NULL), or whether it is there. */
type FieldKind = 'text' | 'jsonb' | 'present';

/** The record fields the insert reads, in parameter order: [column name in the statement, path in the record, kind]. */
export const LOG_FIELDS: readonly (readonly [string, string, FieldKind])[] = [
  ['r_id', 'id', 'text'], ['r_created_at', 'createdAt', 'text'], ['r_project_id', 'projectId', 'text'],
  ['r_organization_id', 'organizationId', 'text'], ['r_request_id', 'requestId', 'text'], ['r_event_id', 'eventId', 'text'],
  ['r_key_id', 'keyId', 'text'], ['r_customer_identifier', 'customerIdentifier', 'text'], ['r_thread_identifier', 'threadIdentifier', 'text'],
  ['r_custom_identifier', 'customIdentifier', 'text'], ['r_document_job_id', 'documentJobId', 'text'], ['r_path', 'path', 'text'],
  ['r_request_type', 'requestType', 'text'], ['r_model_requested', 'modelRequested', 'text'], ['r_model', 'model', 'text'],
  ['r_provider', 'provider', 'text'], ['r_connection_id', 'connectionId', 'text'], ['r_status_code', 'statusCode', 'text'],
  ['r_success', 'success', 'text'], ['r_cached', 'cached', 'text'], ['r_step', 'step', 'text'], ['r_attempts', 'attempts', 'jsonb'],
  ['r_tokens_input', 'tokens.input', 'text'], ['r_tokens_cache_read', 'tokens.cacheRead', 'text'],
  ['r_tokens_cache_write', 'tokens.cacheWrite', 'text'], ['r_tokens_reasoning', 'tokens.reasoning', 'text'],
  ['r_tokens_output', 'tokens.output', 'text'], ['r_cost', 'cost', 'text'], ['r_custom_cost', 'customCost', 'text'],
  ['r_duration_ms', 'durationMs', 'text'], ['r_ttfb_ms', 'ttfbMs', 'text'], ['r_stream', 'stream', 'text'],
  ['r_metadata', 'metadata', 'jsonb'], ['r_routing', 'routing', 'jsonb'], ['r_error_code', 'errorCode', 'text'], ['r_dlp', 'dlp', 'jsonb'],
  ['r_has_bodies', 'bodies', 'present'], ['r_request_content_type', 'bodies.requestContentType', 'text'],
  ['r_response_content_type', 'bodies.responseContentType', 'text'], ['r_request', 'bodies.request', 'text'],
  ['r_response', 'bodies.response', 'text'], ['r_request_bytes', 'bodies.requestBytes', 'text'],
  ['r_response_bytes', 'bodies.responseBytes', 'text'], ['r_truncated', 'bodies.truncated', 'text'],
];

/** SQL: the batch's rows, one column per LOG_FIELDS entry (parameters $1…$n). */
export const LOG_COLUMNS_SQL = `unnest(${LOG_FIELDS.map(([, , kind], i) => `$${i + 1}::${kind === 'jsonb' ? 'jsonb' : 'text'}[]`).join(', ')})
    AS c(${LOG_FIELDS.map(([name]) => name).join(', ')})`;

/** The parameter index (0-based) of `createdAt`, for the batch's days. */
export const CREATED_AT_PARAM = LOG_FIELDS.findIndex(([name]) => name === 'r_created_at');

/**
 * A batch that is not JSON arrays of records. It carries PostgreSQL's invalid_text_representation code (what the
 * server answered when it parsed the batch's JSON), so a writer dead-letters it as bad data instead of retrying it.
 */
export class BadLogBatchError extends Error {
  readonly code = '22P02';
}

export interface LogColumns {
  /** One binary array per LOG_FIELDS entry. */
  params: Buffer[];
  /** The project ids the records name (lowercase, sorted, each once; a malformed id left out). */
  projectIds: string[];
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const TEXT_OID = 25;
const JSONB_OID = 3802;

/** The value at a dotted path, as jsonb's `->` would find it (only inside objects). */
function at(record: unknown, path: string[]): unknown {
  let v = record;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** A field as its kind sends it: `->>`'s text, a jsonb document's text, or presence; null for SQL NULL. */
function encode(v: unknown, kind: FieldKind): string | null {
  if (v === undefined || v === null) return null;
  if (kind === 'present') return 't';
  return kind === 'text' && typeof v === 'string' ? v : JSON.stringify(v);
}

/** A one-dimensional array in PostgreSQL's binary format (`array_recv`): text or jsonb elements (jsonb: a version byte, then its text). */
export function binaryArray(values: readonly (string | null)[], jsonb: boolean): Buffer {
  const prefix = jsonb ? 1 : 0;
  const sizes = values.map((v) => (v === null ? -1 : prefix + Buffer.byteLength(v)));
  const out = Buffer.allocUnsafe(20 + sizes.reduce((sum, n) => sum + 4 + Math.max(n, 0), 0));
  out.writeInt32BE(1, 0); // dimensions
  out.writeInt32BE(sizes.includes(-1) ? 1 : 0, 4); // has nulls
  out.writeUInt32BE(jsonb ? JSONB_OID : TEXT_OID, 8);
  out.writeInt32BE(values.length, 12);
  out.writeInt32BE(1, 16); // lower bound
  let pos = 20;
  values.forEach((v, i) => {
    out.writeInt32BE(sizes[i]!, pos);
    pos += 4;
    if (v === null) return;
    if (jsonb) out[pos++] = 1;
    pos += out.write(v, pos);
  });
  return out;
}

/** Parses JSON array texts of RequestLogRecords (UTF-8 bytes, as the log stream holds them, or strings) into LogColumns. */
export function logColumns(arrays: readonly (Uint8Array | string)[]): LogColumns {
  const columns: (string | null)[][] = LOG_FIELDS.map(() => []);
  const paths = LOG_FIELDS.map(([, path]) => path.split('.'));
  const projectIds = new Set<string>();
  for (const a of arrays) {
    for (const record of parseArray(typeof a === 'string' ? a : Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('utf8'))) {
      LOG_FIELDS.forEach(([, , kind], i) => columns[i]!.push(encode(at(record, paths[i]!), kind)));
      const projectId = at(record, ['projectId']);
      if (typeof projectId === 'string' && UUID.test(projectId)) projectIds.add(projectId.toLowerCase());
    }
  }
  return { params: columns.map((values, i) => binaryArray(values, LOG_FIELDS[i]![2] === 'jsonb')), projectIds: [...projectIds].sort() };
}

function parseArray(text: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BadLogBatchError(`log batch is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) throw new BadLogBatchError('log batch is not a JSON array');
  return value;
}
