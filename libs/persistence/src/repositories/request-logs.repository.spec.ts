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
  });
});
