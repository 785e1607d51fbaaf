import { INGEST_CODEC, jsonArrayBytes } from './ingest-queue';

describe('ingest queue encoding', () => {
  it('writes records as the UTF-8 bytes of one JSON array', () => {
    const records = [{ name: 'é ✓', n: 1 }, { name: 'b', nested: { x: [1, null] } }];
    expect(JSON.parse(jsonArrayBytes(records).toString())).toEqual(records);
    expect(jsonArrayBytes([]).toString()).toBe('[]');
    const many = Array.from({ length: 200 }, (_, i) => ({ i, s: i % 7 ? 'x' : 'ü' }));
    expect(JSON.parse(jsonArrayBytes(many).toString())).toEqual(many);
    expect(JSON.parse(jsonArrayBytes(many.slice(0, 64)).toString())).toEqual(many.slice(0, 64));
    expect(JSON.parse(jsonArrayBytes(many.slice(0, 65)).toString())).toEqual(many.slice(0, 65));
  });

  it('decodes an entry read as buffers', () => {
    const f = { p: Buffer.from('proj'), k: Buffer.from('runs'), n: Buffer.from('2'), d: Buffer.from('[1,2]') };
    expect(INGEST_CODEC.decode('1-0', f)).toEqual({ id: '1-0', projectId: 'proj', kind: 'runs', count: 2, data: f.d });
    expect(INGEST_CODEC.decode('1-1', {})).toMatchObject({ kind: 'spans', count: 0, data: Buffer.from('[]') });
  });
});
