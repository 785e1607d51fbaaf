import { createDataSource, ProjectsRepository, RequestLogsRepository, RunsRepository, SpansRepository, type SpanRecord } from '@switchyard/persistence';
import { createTestEnvironment, insertProjectRow, type TestEnvironment } from '@switchyard/testing';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { RetentionService } from './retention.service';

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 0, 31, 12);

function span(traceId: string, spanId: string, ageDays: number): SpanRecord {
  const startNs = (BigInt(NOW - ageDays * DAY_MS) * 1_000_000n).toString();
  return {
    trace_id: traceId, span_id: spanId, parent_span_id: null, name: 'op', kind: 1, service_name: 's', start_ns: startNs, end_ns: startNs,
    status_code: 0, status_message: null, attributes: {}, resource: {}, scope: null, events: [], links: [], trace_state: null, flags: null,
    gen_ai_model: null, gen_ai_provider: null, input_tokens: null, output_tokens: null, cost: null,
  };
}

describe('RetentionService', () => {
  let env: TestEnvironment;
  let ds: DataSource;

  beforeAll(async () => {
    env = await createTestEnvironment();
    ds = await createDataSource(env.config, 'retention-test').initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  const project = async (retentionDays: number) => (await insertProjectRow(ds, { retentionDays })).id;
  const run = (projectId: string, id: string, ageDays: number) =>
    ds.query(
      `INSERT INTO runs (project_id, id, name, type, trace_id, source_id, status, start_time, end_time, version) VALUES ($1, $2, 'r', 'workflow', 't', 's', 'succeeded', $3, $3, 1)`,
      [projectId, id, new Date(NOW - ageDays * DAY_MS)],
    );
  const ids = async (table: 'spans' | 'traces' | 'runs', projectId: string, column: string) =>
    ((await ds.query(`SELECT ${column} AS v FROM ${table} WHERE project_id = $1 ORDER BY 1`, [projectId])) as { v: string }[]).map((r) => r.v);

  it("deletes each project's spans, trace summaries and runs older than its own retention_days, in batches, and nothing else", async () => {
    const short = await project(7);
    const long = await project(90);
    const spans = new SpansRepository(ds);
    for (const p of [short, long]) {
      // Trace a: 30 days old; trace b: 3 days old; 25 old spans so batches of 10 take several rounds.
      const old = Array.from({ length: 25 }, (_, i) => span('a'.repeat(32), (i + 1).toString(16).padStart(16, '0'), 30));
      await spans.insertJson(p, JSON.stringify([...old, span('b'.repeat(32), '1'.padStart(16, '0'), 3)]));
      await run(p, 'old-run', 30);
      await run(p, 'new-run', 3);
    }
    const retention = new RetentionService({ ...env.config, serviceName: 'collector' }, {} as Redis, new ProjectsRepository(ds), spans, new RunsRepository(ds), new RequestLogsRepository(ds));
    const deleteOlderThan = spans.deleteOlderThan.bind(spans);
    jest.spyOn(spans, 'deleteOlderThan').mockImplementation((projectId, cutoff) => deleteOlderThan(projectId, cutoff, 10));

    expect(await retention.runOnce(NOW)).toBe(25);

    expect(await ids('traces', short, 'trace_id')).toEqual(['b'.repeat(32)]);
    expect(await ids('spans', short, 'trace_id')).toEqual(['b'.repeat(32)]);
    expect(await ids('runs', short, 'id')).toEqual(['new-run']);
    expect(await ids('traces', long, 'trace_id')).toEqual(['a'.repeat(32), 'b'.repeat(32)]);
    expect(await ids('spans', long, 'trace_id')).toHaveLength(26);
    expect(await ids('runs', long, 'id')).toEqual(['new-run', 'old-run']);
    // A second pass has nothing left to do.
    expect(await retention.runOnce(NOW)).toBe(0);
  });
});
