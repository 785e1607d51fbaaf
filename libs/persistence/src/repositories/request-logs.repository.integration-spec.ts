import { randomUUID } from 'node:crypto';
import { createTestEnvironment, insertProjectRow, requestLogFixture, type TestEnvironment } from '@switchyard/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source';
import { RequestLogsRepository } from './request-logs.repository';

describe('RequestLogsRepository', () => {
  let env: TestEnvironment;
  let ds: DataSource;
  let logs: RequestLogsRepository;

  beforeAll(async () => {
    env = await createTestEnvironment();
    ds = await createDataSource(env.config, 'request-logs-test').initialize();
    logs = new RequestLogsRepository(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  it('stores a batch once, however often it is written, with every field, its token sums and its bodies apart', async () => {
    const project = await insertProjectRow(ds);
    const withBodies = requestLogFixture(project, { eventId: 'evt-1', keyId: randomUUID(), routing: { route: 'support' } });
    const without = requestLogFixture(project, { bodies: null, success: false, statusCode: 503, errorCode: 'provider_unavailable', cost: null });
    const batch = JSON.stringify([withBodies, without]);
    expect(await logs.insertJson(batch)).toBe(2);
    expect(await logs.insertJson(batch)).toBe(0);
    expect(await logs.count(project.id)).toBe(2);
    expect(await logs.storedCount(project.id)).toBe(2);

    const row = await logs.findById(project.id, withBodies.id);
    expect(row).toMatchObject({
      requestId: withBodies.requestId, eventId: 'evt-1', keyId: withBodies.keyId, customerIdentifier: 'customer-1', model: withBodies.model,
      provider: 'openai', statusCode: 200, success: true, cached: false, step: 0, attempts: withBodies.attempts,
      tokensInput: '10', tokensCacheRead: '2', tokensReasoning: '1', tokensOutput: '5', tokensIn: '12', tokensOut: '6', tokens: '18',
      cost: '0.000012', durationMs: 130, ttfbMs: 90, metadata: { team: 'search' }, routing: { route: 'support' }, dlp: null,
      requestContentType: 'application/json', hasBodies: true, feedback: null, score: null,
    });
    expect(row!.createdAt.toISOString()).toBe(withBodies.createdAt);
    expect(await logs.findBodies(project.id, withBodies.id)).toMatchObject({
      request: withBodies.bodies!.request, response: withBodies.bodies!.response, requestBytes: 80, responseBytes: 100, truncated: false,
    });

    expect(await logs.findById(project.id, without.id)).toMatchObject({ success: false, errorCode: 'provider_unavailable', cost: null, hasBodies: false });
    expect(await logs.findBodies(project.id, without.id)).toBeNull();
  });

  it("creates the partition of a record's day when it is missing", async () => {
    const project = await insertProjectRow(ds);
    const createdAt = new Date(Date.UTC(2025, 0, 15, 23, 59, 59, 999)).toISOString();
    const old = requestLogFixture(project, { createdAt });
    expect(await logs.insertJson(JSON.stringify([old, requestLogFixture(project)]))).toBe(2);
    const partitions = (await ds.query(`SELECT relname FROM pg_class WHERE relname IN ('request_logs_20250115', 'request_log_bodies_20250115') ORDER BY 1`)) as { relname: string }[];
    expect(partitions.map((p) => p.relname)).toEqual(['request_log_bodies_20250115', 'request_logs_20250115']);
    expect((await logs.findById(project.id, old.id))?.createdAt.toISOString()).toBe(createdAt);
  });

  it('drops the records of a project that does not exist, and deleting a project deletes its logs and bodies', async () => {
    const project = await insertProjectRow(ds);
    const gone = requestLogFixture({ id: randomUUID(), org: project.org });
    const kept = requestLogFixture(project);
    expect(await logs.insertJson(JSON.stringify([gone, kept]))).toBe(1);
    expect(Number((await ds.query(`SELECT count(*) AS n FROM request_logs WHERE id = $1`, [gone.id]))[0].n)).toBe(0);

    await ds.query(`DELETE FROM organizations WHERE id = $1`, [project.org]);
    expect(await logs.count(project.id)).toBe(0);
    expect(Number((await ds.query(`SELECT count(*) AS n FROM request_log_bodies WHERE project_id = $1`, [project.id]))[0].n)).toBe(0);
  });

  it("finds a log only in its own project, and lists a project's logs newest first by cursor", async () => {
    const a = await insertProjectRow(ds);
    const b = await insertProjectRow(ds);
    const t0 = Date.now();
    const records = Array.from({ length: 5 }, (_, i) => requestLogFixture(a, { createdAt: new Date(t0 - i * 1000).toISOString() }));
    await logs.insertJson(JSON.stringify([...records, requestLogFixture(b)]));
    expect(await logs.findById(b.id, records[0]!.id)).toBeNull();
    const first = await logs.list(a.id, { limit: 3 });
    expect(first.map((r) => r.id)).toEqual(records.slice(0, 3).map((r) => r.id));
    const last = first[first.length - 1]!;
    const second = await logs.list(a.id, { limit: 3, before: { createdAt: last.createdAt, id: last.id } });
    expect(second.map((r) => r.id)).toEqual(records.slice(3).map((r) => r.id));
  });

  it('searches a page spread over several day partitions, with created_at to the microsecond', async () => {
    const project = await insertProjectRow(ds);
    const days = ['2026-06-01T23:59:59.999999Z', '2026-06-02T00:00:00.000001Z', '2026-06-03T12:00:00.123456Z'];
    const records = days.map((createdAt) => requestLogFixture(project, { createdAt }));
    await logs.insertJson(JSON.stringify(records));
    const page = await logs.search(project.id, { filters: [], orderBy: 'created_at', direction: 'asc', limit: 10 });
    expect(page.map((r) => r.id)).toEqual(records.map((r) => r.id));
    const byCost = await logs.search(project.id, { filters: [{ key: 'model', operator: 'eq', value: [records[0]!.model] }], orderBy: 'cost', direction: 'desc', limit: 2 });
    expect(byCost).toHaveLength(2);
  });

  it('pages by keyset without losing or repeating rows whose created_at differ below the millisecond', async () => {
    const project = await insertProjectRow(ds);
    // Five logs within one millisecond and two around it: a cursor cut to the millisecond skips or repeats some.
    const times = ['2026-06-05T10:00:00.122999Z', ...[100, 200, 300, 400, 500].map((us) => `2026-06-05T10:00:00.123${us}Z`), '2026-06-05T10:00:00.124000Z'];
    const records = times.map((createdAt) => requestLogFixture(project, { createdAt }));
    await logs.insertJson(JSON.stringify(records));
    for (const direction of ['desc', 'asc'] as const) {
      const seen: string[] = [];
      let after: { createdAt: string; id: string } | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await logs.searchKeyed(project.id, { filters: [], orderBy: 'created_at', direction, limit: 2, after });
        seen.push(...page.map((r) => r.row.id));
        if (page.length < 2) break;
        after = page[page.length - 1]!.key;
      }
      const expected = records.map((r) => r.id);
      expect(seen).toEqual(direction === 'asc' ? expected : [...expected].reverse());
    }
    const [first] = await logs.searchKeyed(project.id, { filters: [], orderBy: 'created_at', direction: 'asc', limit: 1 });
    expect(first!.key).toEqual({ createdAt: '2026-06-05T10:00:00.122999Z', id: records[0]!.id });
  });

  describe('log_management with a limit of 3 (the API and a check constraint allow 10,000 and more: lifted in this database)', () => {
    const limited = async (strategy: 'STOP_INSERTING' | 'DELETE_OLDEST' | null) => {
      await ds.query(`ALTER TABLE projects DROP CONSTRAINT IF EXISTS projects_log_management_check`);
      const project = await insertProjectRow(ds);
      await ds.query(`UPDATE projects SET log_management = 3, log_management_strategy = $2 WHERE id = $1`, [project.id, strategy]);
      return project;
    };
    const at = (project: { id: string; org: string }, second: number) =>
      requestLogFixture(project, { createdAt: new Date(Date.UTC(2026, 5, 1, 12, 0, second)).toISOString() });
    const storedIds = async (projectId: string) =>
      ((await ds.query(`SELECT id::text FROM request_logs WHERE project_id = $1 ORDER BY created_at`, [projectId])) as { id: string }[]).map((r) => r.id);

    it('STOP_INSERTING (also the default strategy) stores no record past the limit, keeping the earliest of a batch', async () => {
      for (const strategy of ['STOP_INSERTING', null] as const) {
        const project = await limited(strategy);
        const records = Array.from({ length: 6 }, (_, i) => at(project, i));
        expect(await logs.insertJson(JSON.stringify(records.slice(0, 2)))).toBe(2);
        expect(await logs.insertJson(JSON.stringify([records[4], records[2], records[3]]))).toBe(1);
        expect(await logs.insertJson(JSON.stringify([records[5]]))).toBe(0);
        expect(await storedIds(project.id)).toEqual(records.slice(0, 3).map((r) => r.id));
        expect(await logs.storedCount(project.id)).toBe(3);
      }
    });

    it('DELETE_OLDEST keeps the newest records up to the limit, bodies and counter included', async () => {
      const project = await limited('DELETE_OLDEST');
      const records = Array.from({ length: 7 }, (_, i) => at(project, i));
      expect(await logs.insertJson(JSON.stringify(records.slice(0, 5)))).toBe(5);
      expect(await storedIds(project.id)).toEqual(records.slice(2, 5).map((r) => r.id));
      expect(await logs.insertJson(JSON.stringify(records.slice(5)))).toBe(2);
      expect(await storedIds(project.id)).toEqual(records.slice(4).map((r) => r.id));
      expect(await logs.storedCount(project.id)).toBe(3);
      expect(Number((await ds.query(`SELECT count(*) AS n FROM request_log_bodies WHERE project_id = $1`, [project.id]))[0].n)).toBe(3);
    });
  });
});
