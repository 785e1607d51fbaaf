import { finished } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';

/**
 * The log writer's fast path: a batch of request log records (the JSON array the log stream holds: camelCase
 * RequestLogRecords of `@switchyard/metering`) transcoded byte by byte, without parsing it into objects, into the rows
 * of `COPY request_logs … FROM STDIN` and `COPY request_log_bodies … FROM STDIN` (text format), each value exactly what
 * the writer's insert statement (INSERT_LOGS) makes of the record's field.
 *
 * A JSON string's escapes are COPY's own (`\\`, `\n`, `\t`, `\r`, `\b`, `\f`; `\"` and `\/` stand for the character
 * itself in both), so a string's bytes are copied as they are but for `\uXXXX`, written out as UTF-8. A jsonb column
 * takes the value's JSON text with its backslashes doubled. Whatever INSERT_LOGS would read differently (a number with
 * an exponent, which PostgreSQL prints positionally; an object where text is expected; a lone surrogate or NUL
 * escape, which it refuses) throws NotCopyable, and the batch takes INSERT_LOGS.
 */
export class NotCopyable extends Error {}

/** A record of a copied batch: its key and project, and where its rows are in the batch's buffers. */
export interface CopiedRecord {
  id: string;
  createdAt: string;
  projectId: string;
  log: [number, number];
  /** Null: no bodies. */
  body: [number, number] | null;
}

/** A batch as COPY rows. */
export interface CopyBatch {
  logs: Buffer;
  bodies: Buffer;
  records: CopiedRecord[];
}

/** The columns of the `request_logs` rows, in the order they are written. */
export const LOG_COPY_COLUMNS = [
  'id', 'created_at', 'project_id', 'organization_id', 'request_id', 'event_id', 'key_id', 'customer_identifier', 'thread_identifier',
  'custom_identifier', 'document_job_id', 'path', 'request_type', 'model_requested', 'model', 'provider', 'connection_id', 'status_code',
  'success', 'cached', 'step', 'attempts', 'tokens_input', 'tokens_cache_read', 'tokens_cache_write', 'tokens_reasoning', 'tokens_output',
  'cost', 'custom_cost', 'duration_ms', 'ttfb_ms', 'stream', 'metadata', 'routing', 'error_code', 'dlp', 'request_content_type',
  'response_content_type', 'has_bodies',
];

/** The columns of the `request_log_bodies` rows, in the order they are written. */
export const BODY_COPY_COLUMNS = [
  'log_id', 'created_at', 'project_id', 'request', 'response', 'request_content_type', 'response_content_type', 'request_bytes',
  'response_bytes', 'truncated',
];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const TAB = 0x09;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const NULL_FIELD = Buffer.from('\\N');

/** A value's bytes [start, end) in the batch. */
type Range = [number, number];
/** The keys of an object that are read, each matched by its bytes (no string made per key). */
class KeyTable<K extends string> {
  /** Each key's index, by name. */
  readonly at: Record<K, number>;
  private readonly byLength: { bytes: Buffer; index: number }[][] = [];

  constructor(readonly names: readonly K[]) {
    this.at = Object.fromEntries(names.map((n, i) => [n, i])) as Record<K, number>;
    names.forEach((name, index) => (this.byLength[name.length] ??= []).push({ bytes: Buffer.from(name, 'latin1'), index }));
  }

  /** The index of the key whose characters are `src[start, end)`, or -1. */
  find(src: Buffer, start: number, end: number): number {
    next: for (const key of this.byLength[end - start] ?? []) {
      for (let i = 0; i < key.bytes.length; i++) if (src[start + i] !== key.bytes[i]) continue next;
      return key.index;
    }
    return -1;
  }
}

/** Where an object's known keys' values are (a later duplicate key wins, as in JSON.parse and jsonb); reused record after record. */
class Fields<K extends string> {
  private readonly ranges: Int32Array;

  constructor(readonly keys: KeyTable<K>) {
    this.ranges = new Int32Array(keys.names.length * 2);
  }

  clear(): void {
    this.ranges.fill(-1);
  }

  set(index: number, start: number, end: number): void {
    this.ranges[2 * index] = start;
    this.ranges[2 * index + 1] = end;
  }

  get(key: K): Range | undefined {
    const i = this.keys.at[key];
    const start = this.ranges[2 * i]!;
    return start < 0 ? undefined : [start, this.ranges[2 * i + 1]!];
  }
}

const RECORD = new KeyTable(['id', 'createdAt', 'projectId', 'organizationId', 'requestId', 'eventId', 'keyId', 'customerIdentifier', 'threadIdentifier',
  'customIdentifier', 'documentJobId', 'path', 'requestType', 'modelRequested', 'model', 'provider', 'connectionId', 'statusCode', 'success', 'cached',
  'step', 'attempts', 'tokens', 'cost', 'customCost', 'durationMs', 'ttfbMs', 'stream', 'metadata', 'routing', 'errorCode', 'dlp', 'bodies'] as const);
const TOKENS = new KeyTable(['input', 'cacheRead', 'cacheWrite', 'reasoning', 'output'] as const);
const BODIES = new KeyTable(['request', 'response', 'requestContentType', 'responseContentType', 'requestBytes', 'responseBytes', 'truncated'] as const);
type RecordKey = (typeof RECORD.names)[number];
type TokensKey = (typeof TOKENS.names)[number];
type BodiesKey = (typeof BODIES.names)[number];

/** A growing byte buffer the rows are written into. */
class Sink {
  buf: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 1024));
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  bytes(src: Buffer, start: number, end: number): void {
    const n = end - start;
    this.room(n);
    // Most fields are short: a loop beats Buffer#copy's call overhead there.
    if (n < 64) for (let i = start; i < end; i++) this.buf[this.length++] = src[i]!;
    else {
      this.buf.set(src.subarray(start, end), this.length);
      this.length += n;
    }
  }

  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }

  ascii(text: string): void {
    this.room(text.length);
    this.length += this.buf.write(text, this.length, 'latin1');
  }

  done(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

const isSpace = (b: number | undefined): boolean => b === 0x20 || b === NEWLINE || b === 0x0d || b === TAB;

/** Reads the JSON of a batch: where its values are, without building them. */
class Scanner {
  constructor(readonly src: Buffer) {}

  space(i: number): number {
    while (isSpace(this.src[i])) i++;
    return i;
  }

  /** The end of the string opening at `i` (after its closing quote). */
  stringEnd(i: number): number {
    for (let from = i + 1; ; ) {
      const quote = this.src.indexOf(QUOTE, from);
      if (quote < 0) throw new NotCopyable('unterminated string');
      let k = quote - 1;
      while (this.src[k] === BACKSLASH) k--;
      if ((quote - 1 - k) % 2 === 0) return quote + 1;
      from = quote + 1;
    }
  }

  /** The end of the value starting at `i`. */
  valueEnd(i: number): number {
    const c = this.src[i];
    if (c === QUOTE) return this.stringEnd(i);
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      let depth = 0;
      for (let j = i; j < this.src.length; ) {
        const b = this.src[j];
        if (b === QUOTE) {
          j = this.stringEnd(j);
          continue;
        }
        if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
        else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
          depth--;
          if (depth === 0) return j + 1;
        }
        j++;
      }
      throw new NotCopyable('unterminated value');
    }
    let j = i;
    while (j < this.src.length && !isSpace(this.src[j]) && this.src[j] !== COMMA && this.src[j] !== CLOSE_OBJECT && this.src[j] !== CLOSE_ARRAY) j++;
    if (j === i) throw new NotCopyable('a value expected');
    return j;
  }

  /** A string's text (the key and project of a record, an object's keys). */
  text([start, end]: Range): string {
    if (this.src[start] !== QUOTE) throw new NotCopyable('a string expected');
    const inner = this.src.indexOf(BACKSLASH, start + 1);
    if (inner < 0 || inner >= end) return this.src.toString('utf8', start + 1, end - 1);
    return JSON.parse(this.src.toString('utf8', start, end)) as string;
  }

  /** Reads the object at `i` into `fields` (its known keys; an escaped key throws NotCopyable); returns its end. */
  fieldsInto<K extends string>(i: number, fields: Fields<K>): number {
    fields.clear();
    let j = this.space(i + 1);
    if (this.src[j] === CLOSE_OBJECT) return j + 1;
    for (;;) {
      if (this.src[j] !== QUOTE) throw new NotCopyable('a key expected');
      const keyEnd = this.stringEnd(j);
      const index = fields.keys.find(this.src, j + 1, keyEnd - 1);
      if (index < 0) {
        const escape = this.src.indexOf(BACKSLASH, j + 1);
        if (escape >= 0 && escape < keyEnd) throw new NotCopyable('an escaped key');
      }
      j = this.space(keyEnd);
      if (this.src[j] !== COLON) throw new NotCopyable('a colon expected');
      j = this.space(j + 1);
      const end = this.valueEnd(j);
      if (index >= 0) fields.set(index, j, end);
      j = this.space(end);
      if (this.src[j] === CLOSE_OBJECT) return j + 1;
      if (this.src[j] !== COMMA) throw new NotCopyable('a comma expected');
      j = this.space(j + 1);
    }
  }

  /** Reads a value that is an object into `fields` (none for null, absent or anything else). */
  objectInto<K extends string>(range: Range | undefined, fields: Fields<K>): Fields<K> {
    if (range && this.src[range[0]] === OPEN_OBJECT) this.fieldsInto(range[0], fields);
    else fields.clear();
    return fields;
  }
}

/** A value that is JSON null, or no value. */
const isNull = (s: Scanner, range: Range | undefined): boolean => !range || (s.src[range[0]] === 0x6e && range[1] - range[0] === 4);

/** Writes the text `e->>'field'` gives for a scalar (a string's characters; a number or boolean as written), or `\N`. */
function writeText(out: Sink, s: Scanner, range: Range | undefined, fallback: Buffer = NULL_FIELD): void {
  if (isNull(s, range)) return out.bytes(fallback, 0, fallback.length);
  const [start, end] = range!;
  const c = s.src[start];
  if (c === QUOTE) return writeStringChars(out, s.src, start + 1, end - 1);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) throw new NotCopyable('an object where a scalar is expected');
  if (c !== 0x74 && c !== 0x66) {
    // A number (not true or false): PostgreSQL prints one with an exponent positionally.
    for (let j = start; j < end; j++) if (s.src[j] === 0x65 || s.src[j] === 0x45) throw new NotCopyable('a number with an exponent');
  }
  out.bytes(s.src, start, end);
}

/** A JSON string's characters [start, end) as a COPY field: its escapes kept (they are COPY's), `\uXXXX` written out. */
function writeStringChars(out: Sink, src: Buffer, start: number, end: number): void {
  let from = start;
  for (let bs = src.indexOf(BACKSLASH, from); bs >= 0 && bs < end; bs = src.indexOf(BACKSLASH, from)) {
    out.bytes(src, from, bs);
    const c = src[bs + 1];
    if (c === 0x75) {
      from = writeUnicodeEscape(out, src, bs);
      continue;
    }
    // \" and \/ stand for the character itself in COPY too; \\ \b \f \n \r \t are COPY's own escapes.
    out.bytes(src, bs, bs + 2);
    from = bs + 2;
  }
  out.bytes(src, from, end);
}

const hex4 = (src: Buffer, at: number): number => {
  const code = Number.parseInt(src.toString('latin1', at, at + 4), 16);
  if (Number.isNaN(code)) throw new NotCopyable('a bad \\u escape');
  return code;
};

/** The `\uXXXX` (or surrogate pair) at `at` as UTF-8, a control character or backslash as a COPY `\xHH` escape; returns where it ends. */
function writeUnicodeEscape(out: Sink, src: Buffer, at: number): number {
  let code = hex4(src, at + 2);
  let end = at + 6;
  if (code >= 0xd800 && code <= 0xdbff && src[end] === BACKSLASH && src[end + 1] === 0x75) {
    const low = hex4(src, end + 2);
    if (low >= 0xdc00 && low <= 0xdfff) {
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      end += 6;
    }
  }
  // PostgreSQL refuses these in text (jsonb's ->> of them fails): INSERT_LOGS decides.
  if (code === 0 || (code >= 0xd800 && code <= 0xdfff)) throw new NotCopyable('a NUL or lone surrogate escape');
  if (code < 0x20 || code === BACKSLASH || code === 0x7f) out.ascii(`\\x${code.toString(16).padStart(2, '0')}`);
  else out.ascii(Buffer.from(String.fromCodePoint(code), 'utf8').toString('latin1'));
  return end;
}

/** Writes a jsonb column: the value's JSON text, backslashes doubled (COPY's escape); `fallback` for null and absent. */
function writeJson(out: Sink, s: Scanner, range: Range | undefined, fallback: Buffer): void {
  if (isNull(s, range)) return out.bytes(fallback, 0, fallback.length);
  const [start, end] = range!;
  let from = start;
  for (let bs = s.src.indexOf(BACKSLASH, from); bs >= 0 && bs < end; bs = s.src.indexOf(BACKSLASH, from)) {
    out.bytes(s.src, from, bs + 1);
    out.byte(BACKSLASH);
    from = bs + 1;
  }
  out.bytes(s.src, from, end);
}

/** `round(<value>::numeric)::integer` (half away from zero), or `\N`. */
function writeRounded(out: Sink, s: Scanner, range: Range | undefined): void {
  if (isNull(s, range) || s.src[range![0]] === QUOTE) return writeText(out, s, range);
  const raw = s.src.toString('latin1', range![0], range![1]);
  if (/^-?\d+$/.test(raw)) return out.ascii(raw);
  const value = Number(raw);
  const rounded = String(Math.sign(value) * Math.round(Math.abs(value)));
  if (!Number.isFinite(value) || rounded.includes('e')) throw new NotCopyable(`a duration ${raw}`);
  out.ascii(rounded === '-0' ? '0' : rounded);
}

/** A numeric column: a number as written (numeric_in reads an exponent as PostgreSQL's jsonb does), a string's characters, or `\\N`. */
function writeNumeric(out: Sink, s: Scanner, range: Range | undefined): void {
  if (isNull(s, range) || s.src[range![0]] === QUOTE) return writeText(out, s, range);
  out.bytes(s.src, range![0], range![1]);
}

const FALSE = Buffer.from('false');
const ZERO = Buffer.from('0');
const EMPTY_ARRAY = Buffer.from('[]');
const EMPTY_OBJECT = Buffer.from('{}');

/** The record's fields written as they are, in LOG_COPY_COLUMNS order, up to `attempts`. */
const ROW_TEXT_KEYS = RECORD.names.slice(0, RECORD.at.attempts);

/** Appends a record's `request_logs` row. */
function writeLogRow(out: Sink, s: Scanner, f: Fields<RecordKey>, tokens: Fields<TokensKey>, bodies: Fields<BodiesKey> | null): void {
  const text = (range: Range | undefined, fallback?: Buffer) => {
    writeText(out, s, range, fallback);
    out.byte(TAB);
  };
  for (const key of ROW_TEXT_KEYS) text(f.get(key));
  writeJson(out, s, f.get('attempts'), EMPTY_ARRAY);
  out.byte(TAB);
  for (const key of TOKENS.names) text(tokens.get(key), ZERO);
  writeNumeric(out, s, f.get('cost'));
  out.byte(TAB);
  text(f.get('customCost'), FALSE);
  writeRounded(out, s, f.get('durationMs'));
  out.byte(TAB);
  writeRounded(out, s, f.get('ttfbMs'));
  out.byte(TAB);
  text(f.get('stream'), FALSE);
  writeJson(out, s, f.get('metadata'), EMPTY_OBJECT);
  out.byte(TAB);
  writeJson(out, s, f.get('routing'), NULL_FIELD);
  out.byte(TAB);
  text(f.get('errorCode'));
  writeJson(out, s, f.get('dlp'), NULL_FIELD);
  out.byte(TAB);
  text(bodies?.get('requestContentType'));
  text(bodies?.get('responseContentType'));
  out.ascii(bodies ? 'true\n' : 'false\n');
}

/** Appends a record's `request_log_bodies` row. */
function writeBodyRow(out: Sink, s: Scanner, f: Fields<RecordKey>, bodies: Fields<BodiesKey>): void {
  const fields = [f.get('id'), f.get('createdAt'), f.get('projectId'), bodies.get('request'), bodies.get('response'), bodies.get('requestContentType'),
    bodies.get('responseContentType'), bodies.get('requestBytes'), bodies.get('responseBytes')];
  for (const range of fields) {
    writeText(out, s, range);
    out.byte(TAB);
  }
  writeText(out, s, bodies.get('truncated'), FALSE);
  out.byte(NEWLINE);
}

/**
 * A batch (a JSON array of records, as a string or in jsonb's binary parameter format: a version byte, then the text)
 * as COPY rows; throws NotCopyable for what INSERT_LOGS would read otherwise (or a batch that is not an array of
 * objects, which INSERT_LOGS then judges).
 */
export function copyBatch(json: string | Buffer): CopyBatch {
  const src = typeof json === 'string' ? Buffer.from(json) : json;
  const s = new Scanner(src);
  let i = s.space(typeof json === 'string' ? 0 : 1);
  if (src[i] !== OPEN_ARRAY) throw new NotCopyable('not an array');
  const logs = new Sink(src.length >> 2);
  const bodyRows = new Sink(src.length);
  const records: CopiedRecord[] = [];
  const [fields, tokenFields, bodyFields] = [new Fields(RECORD), new Fields(TOKENS), new Fields(BODIES)];
  i = s.space(i + 1);
  while (src[i] !== CLOSE_ARRAY) {
    if (src[i] !== OPEN_OBJECT) throw new NotCopyable('a record that is not an object');
    const end = s.fieldsInto(i, fields);
    const bodies = isNull(s, fields.get('bodies')) ? null : s.objectInto(fields.get('bodies'), bodyFields);
    const logStart = logs.length;
    writeLogRow(logs, s, fields, s.objectInto(fields.get('tokens'), tokenFields), bodies);
    const bodyStart = bodyRows.length;
    if (bodies) writeBodyRow(bodyRows, s, fields, bodies);
    const key = (name: 'id' | 'createdAt' | 'projectId') => {
      const range = fields.get(name);
      if (isNull(s, range)) throw new NotCopyable(`a record without ${name}`);
      return s.text(range!);
    };
    records.push({
      id: key('id'), createdAt: key('createdAt'), projectId: key('projectId'),
      log: [logStart, logs.length], body: bodies ? [bodyStart, bodyRows.length] : null,
    });
    i = s.space(end);
    if (src[i] === COMMA) i = s.space(i + 1);
    else if (src[i] !== CLOSE_ARRAY) throw new NotCopyable('a comma expected');
  }
  return { logs: logs.done(), bodies: bodyRows.done(), records };
}

/** The rows of `kept` (records of `batch`, in its order), as the buffers to COPY. */
export function keptRows(batch: CopyBatch, kept: CopiedRecord[]): { logs: Buffer; bodies: Buffer } {
  if (kept.length === batch.records.length) return batch;
  return {
    logs: Buffer.concat(kept.map((r) => batch.logs.subarray(...r.log))),
    bodies: Buffer.concat(kept.flatMap((r) => (r.body ? [batch.bodies.subarray(...r.body)] : []))),
  };
}

/** The pg client under a TypeORM query runner, as COPY needs it (a `Submittable` query). */
export interface CopyClient {
  query(submittable: ReturnType<typeof copyFrom>): ReturnType<typeof copyFrom>;
}

/** Runs `COPY <table> (<columns>) FROM STDIN` on `client` with `rows` (COPY text format); resolves once PostgreSQL has taken them all. */
export async function copyRows(client: CopyClient, table: string, columns: readonly string[], rows: Buffer): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  stream.end(rows);
  await finished(stream);
}
