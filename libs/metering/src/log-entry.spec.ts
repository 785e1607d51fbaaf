import { decodeLogEntry, encodeLogRecord, logEntryArgs, logEntryFields, logEntryRecords } from './log-entry';
import { logBodies } from './log-bodies';
import type { RequestLogRecord } from './request-log';
import { tokenUsageOf } from './token-usage';

const record = (id: string, bodies: RequestLogRecord['bodies']): RequestLogRecord => ({
  id, requestId: `req-${id}`, eventId: null, createdAt: new Date(0).toISOString(), organizationId: 'o', projectId: 'p', keyId: null,
  customerIdentifier: null, threadIdentifier: null, customIdentifier: null, documentJobId: null, path: '/v1/chat/completions',
  requestType: 'chat.completions', modelRequested: 'gpt-4o-mini', model: 'gpt-4o-mini', provider: 'openai', connectionId: 'c', statusCode: 200,
  success: true, cached: false, step: 0, attempts: [], tokens: tokenUsageOf(undefined), cost: null, customCost: false, durationMs: 1, ttfbMs: 1,
  stream: false, metadata: {}, routing: null, errorCode: null, dlp: null, bodies,
});

describe('log stream entries', () => {
  const quoted = record('a', logBodies('{"messages":[{"role":"user","content":"héllo \\"you\\" 😀"}]}', 'plain ✓', 1000, 'text/plain'));
  const bare = record('b', null);
  const noResponse = record('c', logBodies('{"q":1}', null, 1000));

  it('carry the bodies beside the JSON, by UTF-8 length, and leave the record as it was', () => {
    const before = structuredClone(quoted);
    const encoded = encodeLogRecord(quoted);
    expect(quoted).toEqual(before);
    const { request, response, ...rest } = quoted.bodies!;
    expect(JSON.parse(encoded.json)).toEqual({ ...quoted, bodies: { ...rest, requestLength: Buffer.byteLength(request!), responseLength: Buffer.byteLength(response!) } });
    expect(encoded.json).not.toContain('messages');
    expect(encoded).toMatchObject({ bodies: request! + response!, bytes: Buffer.byteLength(request! + response!) });
    expect(encodeLogRecord(bare)).toEqual({ json: JSON.stringify(bare), bodies: '', bytes: 0 });
    expect(JSON.parse(encodeLogRecord(noResponse).json).bodies).toMatchObject({ requestLength: 7, responseLength: null });
  });

  it('decode back to the records, as XRANGE lists them, entries of older routers (bodies in the JSON) too', () => {
    const records = [quoted, bare, noResponse];
    const { d, b, bBytes } = logEntryFields(records.map(encodeLogRecord));
    expect(bBytes).toBe(Buffer.byteLength(b));
    expect(decodeLogEntry(Buffer.from(d), Buffer.from(b))).toEqual(records);
    expect(logEntryRecords(logEntryArgs(records.map(encodeLogRecord)))).toEqual(records);
    expect(logEntryRecords(['d', JSON.stringify(records)])).toEqual(records);
  });

  it('leave out the bodies field when no record of the entry has bodies', () => {
    expect(logEntryArgs([encodeLogRecord(bare)])).toEqual(['d', `[${JSON.stringify(bare)}]`]);
  });
});
