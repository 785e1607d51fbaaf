import { BadLogBatchError, binaryArray, LOG_FIELDS, logColumns } from './log-columns';

const A = '0191a2b3-0000-7000-8000-00000000000a';
const B = '0191a2b3-0000-7000-8000-00000000000b';

/** Reads back a binary array (what PostgreSQL's array_recv reads): its element type and elements (jsonb without its version byte). */
function readArray(buf: Buffer): { oid: number; values: (string | null)[] } {
  expect(buf.readInt32BE(0)).toBe(1);
  expect(buf.readInt32BE(16)).toBe(1);
  const oid = buf.readUInt32BE(8);
  const values: (string | null)[] = [];
  let pos = 20;
  for (let i = 0; i < buf.readInt32BE(12); i++) {
    const len = buf.readInt32BE(pos);
    pos += 4;
    if (len < 0) values.push(null);
    else {
      const bytes = buf.subarray(pos, pos + len);
      values.push(oid === 3802 ? (expect(bytes[0]).toBe(1), bytes.subarray(1).toString('utf8')) : bytes.toString('utf8'));
      pos += len;
    }
  }
  expect(pos).toBe(buf.length);
  return { oid, values };
}

const column = (cols: ReturnType<typeof logColumns>, name: string) => readArray(cols.params[LOG_FIELDS.findIndex(([n]) => n === name)]!);

describe('logColumns', () => {
  it("sends each field as jsonb's ->> gives it: strings as they are, numbers and booleans as their JSON, null and absent as NULL", () => {
    const cols = logColumns([
      Buffer.from(JSON.stringify([{ id: 'i1', projectId: B, statusCode: 200, success: true, cost: 0.00004, eventId: null, tokens: { input: 12 }, bodies: { request: '{"q":"é\\n"}', truncated: false } }])),
      JSON.stringify([{ id: 'i2', projectId: A, tokens: null, customerIdentifier: { odd: 1 }, bodies: null }]),
    ]);
    expect(cols.params).toHaveLength(LOG_FIELDS.length);
    expect(column(cols, 'r_id')).toEqual({ oid: 25, values: ['i1', 'i2'] });
    expect(column(cols, 'r_status_code').values).toEqual(['200', null]);
    expect(column(cols, 'r_success').values).toEqual(['true', null]);
    expect(column(cols, 'r_cost').values).toEqual(['0.00004', null]);
    expect(column(cols, 'r_event_id').values).toEqual([null, null]);
    expect(column(cols, 'r_tokens_input').values).toEqual(['12', null]);
    expect(column(cols, 'r_customer_identifier').values).toEqual([null, '{"odd":1}']);
    expect(column(cols, 'r_request').values).toEqual(['{"q":"é\\n"}', null]);
    expect(column(cols, 'r_truncated').values).toEqual(['false', null]);
    expect(column(cols, 'r_has_bodies').values).toEqual(['t', null]);
    expect(cols.projectIds).toEqual([A, B]);
  });

  it('sends the JSON fields as jsonb documents, JSON null as NULL', () => {
    const cols = logColumns([JSON.stringify([{ attempts: [{ step: 0 }], metadata: { team: 'x', n: 1 }, routing: null }])]);
    expect(column(cols, 'r_attempts')).toEqual({ oid: 3802, values: ['[{"step":0}]'] });
    expect(column(cols, 'r_metadata').values).toEqual(['{"team":"x","n":1}']);
    expect(column(cols, 'r_routing').values).toEqual([null]);
    expect(column(cols, 'r_dlp').values).toEqual([null]);
  });

  it('leaves out project ids that are not UUIDs, and records that are not objects give NULLs', () => {
    const cols = logColumns(['[{"projectId":"nope"},{"projectId":7},null,3]']);
    expect(cols.projectIds).toEqual([]);
    expect(column(cols, 'r_id').values).toEqual([null, null, null, null]);
  });

  it('refuses text that is not JSON arrays with a bad-data error (dead-lettered, not retried)', () => {
    expect(() => logColumns(['[{"id":'])).toThrow(BadLogBatchError);
    expect(() => logColumns(['{"id":1}'])).toThrow(expect.objectContaining({ code: '22P02' }));
  });

  it('writes an empty array and multi-byte text with their byte lengths', () => {
    expect(readArray(binaryArray([], false))).toEqual({ oid: 25, values: [] });
    expect(readArray(binaryArray(['€', null, ''], false)).values).toEqual(['€', null, '']);
  });
});
