import { projectIdsOf } from './request-logs.repository';

describe('projectIdsOf', () => {
  it("finds the records' project ids, once each and sorted, not those quoted inside bodies", () => {
    const a = '0191a2b3-0000-7000-8000-00000000000a';
    const b = '0191a2b3-0000-7000-8000-00000000000b';
    const json = JSON.stringify([
      { projectId: b, bodies: { request: JSON.stringify({ projectId: '0191a2b3-0000-7000-8000-0000000000ff' }) } },
      { projectId: a },
      { projectId: b },
    ]);
    expect(projectIdsOf(json)).toEqual([a, b]);
    expect(projectIdsOf(Buffer.from(json))).toEqual([a, b]);
  });

  it('skips a projectId that is not a uuid', () => {
    expect(projectIdsOf('[{"projectId":"nope"},{"projectId":"0191a2b3-0000-7000-8000-00000000000A"}]')).toEqual(['0191a2b3-0000-7000-8000-00000000000a']);
    expect(projectIdsOf(Buffer.from('[{"projectId":"0191a2b3-0000-7000-8000-00000000000a0"}]'))).toEqual([]);
  });
});
