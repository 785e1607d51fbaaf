import type { LogBodies, RequestLogRecord } from './request-log';

/**
 * A record's bodies as a log stream entry carries them: the texts moved out of the record's JSON into the entry's `b`
 * field (UTF-8, request then response), their byte lengths in their place (null: no such body).
 */
export interface EntryBodies extends Omit<LogBodies, 'request' | 'response'> {
  requestLength: number | null;
  responseLength: number | null;
}

/** A record ready for the log stream: its JSON (the bodies' texts left out) and the texts, request then response. */
export interface EncodedLogRecord {
  json: string;
  /** The bodies' texts, concatenated ('' when the record has none). */
  bodies: string;
  /** `bodies`' size in UTF-8 bytes. */
  bytes: number;
}

const textBytes = (text: string | null): number | null => (text === null ? null : Buffer.byteLength(text));

/**
 * Serializes a record for the log stream with its bodies beside the JSON rather than in it: a 2 KB JSON body is then
 * neither escaped here (every `"` of it) nor parsed by PostgreSQL's JSON lexer, which receives the texts as bytes.
 */
export function encodeLogRecord(record: RequestLogRecord): EncodedLogRecord {
  const bodies = record.bodies;
  if (!bodies) return { json: JSON.stringify(record), bodies: '', bytes: 0 };
  const { request, response } = bodies;
  const requestLength = textBytes(request);
  const responseLength = textBytes(response);
  const entryBodies: EntryBodies = {
    requestContentType: bodies.requestContentType, responseContentType: bodies.responseContentType, requestBytes: bodies.requestBytes,
    responseBytes: bodies.responseBytes, truncated: bodies.truncated, requestLength, responseLength,
  };
  // The record with its bodies swapped for the lengths while it is serialized (no copy of its 36 fields), then restored.
  const mutable = record as unknown as { bodies: EntryBodies | LogBodies };
  mutable.bodies = entryBodies;
  try {
    return { json: JSON.stringify(record), bodies: (request ?? '') + (response ?? ''), bytes: (requestLength ?? 0) + (responseLength ?? 0) };
  } finally {
    mutable.bodies = bodies;
  }
}

/** A stream entry's fields: `d`, the records' JSON array, and `b`, their bodies' texts in order ('' when none has any). */
export function logEntryFields(records: readonly EncodedLogRecord[]): { d: string; b: string; bBytes: number } {
  let json = '';
  let b = '';
  let bBytes = 0;
  for (const r of records) {
    json += json ? `,${r.json}` : r.json;
    b += r.bodies;
    bBytes += r.bytes;
  }
  return { d: `[${json}]`, b, bBytes };
}

/** A stream entry's XADD field arguments: `d` and, when some record has bodies, `b` (see `logEntryFields`). */
export function logEntryArgs(records: readonly EncodedLogRecord[]): string[] {
  const { d, b } = logEntryFields(records);
  return b ? ['d', d, 'b', b] : ['d', d];
}

/**
 * The records of a log stream entry, bodies restored: `d` the JSON array, `b` the bodies' bytes (absent in entries
 * written before bodies moved beside the JSON, whose records hold their texts). The inverse of `logEntryFields`.
 */
export function decodeLogEntry(d: string | Buffer, b: string | Buffer = ''): RequestLogRecord[] {
  const records = JSON.parse(d.toString()) as (Omit<RequestLogRecord, 'bodies'> & { bodies: EntryBodies | LogBodies | null })[];
  const bytes = Buffer.from(b);
  let at = 0;
  const cut = (length: number | null): string | null => {
    if (length === null) return null;
    const text = bytes.toString('utf8', at, at + length);
    at += length;
    return text;
  };
  return records.map((r) => {
    if (!r.bodies || !('requestLength' in r.bodies)) return r as RequestLogRecord;
    const { requestLength, responseLength, ...rest } = r.bodies;
    const request = cut(requestLength);
    return { ...r, bodies: { ...rest, request, response: cut(responseLength) } };
  });
}

/** The records of a log stream entry as XRANGE / XREADGROUP list its fields (`[field, value, …]`). */
export function logEntryRecords(fields: readonly (string | Buffer)[]): RequestLogRecord[] {
  const f = new Map<string, string | Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!.toString(), fields[i + 1]!);
  return decodeLogEntry(f.get('d') ?? '[]', f.get('b'));
}
