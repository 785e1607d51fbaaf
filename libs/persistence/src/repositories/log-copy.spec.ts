import { copyBatch, keptRows, NotCopyable } from './log-copy';
import { jsonbArrayParam } from './jsonb-param';

const record = (over: Record<string, unknown> = {}) => ({
  id: '0193e0a0-0000-7000-8000-000000000001', createdAt: '2026-12-06T10:00:00.123Z', projectId: '0193e0a0-0000-7000-8000-0000000000aa',
  organizationId: '0193e0a0-0000-7000-8000-0000000000bb', requestId: 'req-1', eventId: null, keyId: 'k', customerIdentifier: 'c', threadIdentifier: null,
  customIdentifier: null, documentJobId: null, path: '/v1/chat/completions', requestType: 'chat.completions', modelRequested: 'm', model: 'm',
  provider: 'openai', connectionId: 'conn', statusCode: 200, success: true, cached: false, step: 0, attempts: [{ status: 200 }],
  tokens: { input: 10, cacheRead: 2, cacheWrite: 0, reasoning: 1, output: 5 }, cost: 0.000012, customCost: false, durationMs: 130.5, ttfbMs: 90,
  stream: false, metadata: { team: 'a\\b' }, routing: null, errorCode: null, dlp: null,
  bodies: { request: 'q', response: 'a', requestContentType: 'application/json', responseContentType: 'text/plain', requestBytes: 1, responseBytes: 1, truncated: false },
  ...over,
});
const rows = (b: Buffer) => b.toString('utf8').split('\n').filter(Boolean).map((line) => line.split('\t'));

describe('copyBatch', () => {
  it("writes each record's log and body rows, every column as INSERT_LOGS reads its field", () => {
    const batch = copyBatch(JSON.stringify([record(), record({ id: '0193e0a0-0000-7000-8000-000000000002', bodies: null, tokens: null, ttfbMs: null })]));
    const [log, bare] = rows(batch.logs);
    expect(log).toEqual([
      '0193e0a0-0000-7000-8000-000000000001', '2026-12-06T10:00:00.123Z', '0193e0a0-0000-7000-8000-0000000000aa', '0193e0a0-0000-7000-8000-0000000000bb',
      'req-1', '\\N', 'k', 'c', '\\N', '\\N', '\\N', '/v1/chat/completions', 'chat.completions', 'm', 'm', 'openai', 'conn', '200', 'true', 'false', '0',
      '[{"status":200}]', '10', '2', '0', '1', '5', '0.000012', 'false', '131', '90', 'false', '{"team":"a\\\\\\\\b"}', '\\N', '\\N', '\\N',
      'application/json', 'text/plain', 'true',
    ]);
    expect(bare!.slice(22, 27)).toEqual(['0', '0', '0', '0', '0']);
    expect(bare!.slice(30, 31)).toEqual(['\\N']);
    expect(bare!.slice(36)).toEqual(['\\N', '\\N', 'false']);
    expect(rows(batch.bodies)).toEqual([
      ['0193e0a0-0000-7000-8000-000000000001', '2026-12-06T10:00:00.123Z', '0193e0a0-0000-7000-8000-0000000000aa', 'q', 'a', 'application/json', 'text/plain', '1', '1', 'false'],
    ]);
    expect(batch.records.map((r) => [r.id.slice(-1), r.createdAt, r.body !== null])).toEqual([['1', '2026-12-06T10:00:00.123Z', true], ['2', '2026-12-06T10:00:00.123Z', false]]);
  });

  it('keeps JSON escapes that are COPY escapes too, writes \\u escapes out, and reads the binary jsonb parameter alike', () => {
    const text = JSON.stringify([record({ customerIdentifier: 'tab\there "q" back\\slash\nline' })]);
    const escaped = text.replace('"requestId":"req-1"', '"requestId":"\\u00e9\\ud83d\\ude00\\u0001"');
    const batch = copyBatch(escaped);
    const log = rows(batch.logs)[0]!;
    // COPY reads \" as " (any backslashed character not among its escapes stands for itself).
    expect(log[7]).toBe('tab\\there \\"q\\" back\\\\slash\\nline');
    expect(log[4]).toBe('é😀\\x01');
    expect(copyBatch(jsonbArrayParam([Buffer.from(escaped)])).logs.equals(batch.logs)).toBe(true);
  });

  it.each([
    ['a number with an exponent where text is expected', { customerIdentifier: 1e21 }],
    ['an object where text is expected', { keyId: { a: 1 } }],
    ['a record without its key', { id: null }],
  ])('refuses %s', (_, over) => {
    expect(() => copyBatch(JSON.stringify([record(over)]))).toThrow(NotCopyable);
  });

  it('refuses a lone surrogate or NUL escape, and a batch that is not an array of objects', () => {
    expect(() => copyBatch(JSON.stringify([record()]).replace('"req-1"', '"\\ud800"'))).toThrow(NotCopyable);
    expect(() => copyBatch(JSON.stringify([record()]).replace('"req-1"', '"\\u0000"'))).toThrow(NotCopyable);
    expect(() => copyBatch('{"id":1}')).toThrow(NotCopyable);
    expect(() => copyBatch('[1]')).toThrow(NotCopyable);
  });

  it('keeps the rows of some records only', () => {
    const batch = copyBatch(JSON.stringify([record(), record({ id: '0193e0a0-0000-7000-8000-000000000002', bodies: null }), record({ id: '0193e0a0-0000-7000-8000-000000000003' })]));
    const kept = keptRows(batch, [batch.records[1]!, batch.records[2]!]);
    expect(rows(kept.logs).map((r) => r[0]!.slice(-1))).toEqual(['2', '3']);
    expect(rows(kept.bodies).map((r) => r[0]!.slice(-1))).toEqual(['3']);
  });
});
