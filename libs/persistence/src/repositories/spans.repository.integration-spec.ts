import { randomUUID } from 'node:crypto';
import { createDataSource } from '../data-source';
import { SpansRepository, type SpanRecord } from './spans.repository';
import { createTestEnvironment, insertProjectRow, type TestEnvironment } from '@switchyard/testing';
import type { DataSource } from 'typeorm';

const span = (traceId: string, spanId: string, parent: string | null): SpanRecord => ({
  trace_id: traceId, span_id: spanId, parent_span_id: parent, name: parent ? 'child' : 'root', kind: 1, service_name: 'svc',
  start_ns: '1000', end_ns: '2000', status_code: 0, status_message: null, attributes: {}, resource: {}, scope: null, events: [], links: [],
  trace_state: null, flags: null, gen_ai_model: null, gen_ai_provider: null, input_tokens: 3, output_tokens: 4, cost: 0.5,
});

describe('SpansRepository without foreign keys to projects', () => {
  let env: TestEnvironment;
  let ds: DataSource;
  let spans: SpansRepository;

  beforeAll(async () => {
    env = await createTestEnvironment();
    ds = await createDataSource(env.config, 'spans-test').initialize();
    spans = new SpansRepository(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  const project = () => insertProjectRow(ds);
  const count = async (table: 'spans' | 'traces', projectId: string) =>
    Number((await ds.query(`SELECT count(*) AS n FROM ${table} WHERE project_id = $1`, [projectId]))[0].n);

  it('stores a batch once and sums it into the summary, however often it is retried', async () => {
    const { id } = await project();
    const batch = JSON.stringify([span('a'.repeat(32), '1'.repeat(16), null), span('a'.repeat(32), '2'.repeat(16), '1'.repeat(16))]);
    await spans.insertJson(id, batch);
    await spans.insertJson(id, batch);
    expect(await count('spans', id)).toBe(2);
    const [summary] = await spans.listTraces(id, { limit: 10 });
    expect(summary).toMatchObject({ span_count: 2, input_tokens: '6', output_tokens: '8', cost: '1.0', root_name: 'root' });
  });

  it('stores nothing for a project that does not exist, and deleting a project deletes its spans and summaries', async () => {
    await spans.insertJson(randomUUID(), JSON.stringify([span('b'.repeat(32), '1'.repeat(16), null)]));
    expect(Number((await ds.query(`SELECT count(*) AS n FROM spans WHERE trace_id = $1`, ['b'.repeat(32)]))[0].n)).toBe(0);

    const { id, org } = await project();
    await spans.insertJson(id, JSON.stringify([span('c'.repeat(32), '1'.repeat(16), null)]));
    expect([await count('spans', id), await count('traces', id)]).toEqual([1, 1]);
    await ds.query(`DELETE FROM organizations WHERE id = $1`, [org]); // cascades to the project, then the trigger
    expect([await count('spans', id), await count('traces', id)]).toEqual([0, 0]);
  });
});
