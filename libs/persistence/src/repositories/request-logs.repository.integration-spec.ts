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
    const before = { ...logs.batches };
    expect(await logs.insertJson(batch)).toBe(2);
    expect(logs.batches).toEqual({ copied: before.copied + 1, byStatement: before.byStatement });
    // Written again: COPY refuses the stored keys, the statement stores nothing twice.
    expect(await logs.insertJson(batch)).toBe(0);
    expect(logs.batches).toEqual({ copied: before.copied + 1, byStatement: before.byStatement + 1 });
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
    const byStatement = logs.batches.byStatement;
    expect(await logs.insertJson(JSON.stringify([old, requestLogFixture(project)]))).toBe(2);
    expect(logs.batches.byStatement).toBe(byStatement + 1);
    const partitions = (await ds.query(`SELECT relname FROM pg_class WHERE relname IN ('request_logs_20250115', 'request_log_bodies_20250115') ORDER BY 1`)) as { relname: string }[];
    expect(partitions.map((p) => p.relname)).toEqual(['request_log_bodies_20250115', 'request_logs_20250115']);
    expect((await logs.findById(project.id, old.id))?.createdAt.toISOString()).toBe(createdAt);
  });

  it('drops the records of a project that does not exist, and deleting a project deletes its logs and bodies', async () => {
    const project = await insertProjectRow(ds);
    const gone = requestLogFixture({ id: randomUUID(), org: project.org });
    const kept = requestLogFixture(project);
    const copied = logs.batches.copied;
    expect(await logs.insertJson(JSON.stringify([gone, kept]))).toBe(1);
    expect(logs.batches.copied).toBe(copied + 1);
    expect(Number((await ds.query(`SELECT count(*) AS n FROM request_logs WHERE id = $1`, [gone.id]))[0].n)).toBe(0);

    await ds.query(`DELETE FROM organizations WHERE id = $1`, [project.org]);
    expect(await logs.count(project.id)).toBe(0);
    expect(Number((await ds.query(`SELECT count(*) AS n FROM request_log_bodies WHERE project_id = $1`, [project.id]))[0].n)).toBe(0);
  });

  it('stores by COPY exactly what the statement stores: every column, the bodies and every rollup', async () => {
    const [copied, byStatement] = [await insertProjectRow(ds), await insertProjectRow(ds)];
    // Seconds from the coming UTC midnight (today and tomorrow have partitions).
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    const at = (seconds: number) => new Date(midnight.getTime() + seconds * 1000).toISOString();
    const body = (request: string | null) => ({ request, response: '{"ok":true}', requestContentType: 'text/plain', responseContentType: 'application/json', requestBytes: 30, responseBytes: 11, truncated: false });
    const variety = (project: { id: string; org: string }) => [
      requestLogFixture(project, { requestId: 'r1', bodies: body('one'), customerIdentifier: 'c-1', metadata: { team: 'search', n: 12.5, on: true, long: 'é'.repeat(300), deep: { a: 1 } } }),
      requestLogFixture(project, { requestId: 'r2', bodies: null, success: false, cached: true, statusCode: 503, errorCode: 'provider_unavailable', cost: null, ttfbMs: null, durationMs: 130.5 }),
      requestLogFixture(project, { requestId: 'r3', bodies: body('three'), model: 'gpt-4o', keyId: 'key-1', durationMs: 2.5, ttfbMs: 0.4, dlp: { action: 'redact' }, routing: { route: 'r' } }),
      requestLogFixture(project, { requestId: 'r4', bodies: { ...body('tab\there\nnew line \\ back\\slash\r "quoted" \u0001 ☃ 😀 é'), response: null, truncated: true } }),
      requestLogFixture(project, { requestId: 'r5', customerIdentifier: 'c\\"x"\t', metadata: { 'k\\"': 'v\n"é"', emoji: '😀' }, bodies: body('é and a pair: 😀') }),
      // Rollups: several minutes, hours and days; metadata past 10 scalar entries, in jsonb's key order; a cost below 1e-6 (an exponent in JSON).
      requestLogFixture(project, { requestId: 'r6', createdAt: at(-30), cost: 0.1, bodies: body('six'), metadata: {
        z: 1, aa: true, é: 'x', b: false, c: null, d: { nested: 1 }, e: [1], ['k'.repeat(257)]: 'long key', f: -2.5, g: 0, h: 'h', i: 'i', j: 'j', k: 'k', l: 'l',
      } }),
      requestLogFixture(project, { requestId: 'r7', createdAt: at(10), cost: 5e-7, bodies: body('seven'), keyId: 'key-2', durationMs: 700_000, ttfbMs: 0 }),
      requestLogFixture(project, { requestId: 'r8', createdAt: at(60), cost: 3, bodies: null, metadata: { team: 'search' } }),
    ];
    // The batch as JSON.stringify writes it, and with escapes it does not write (\uXXXX for é and a surrogate pair): both ways store the same.
    const batchOf = (project: { id: string; org: string }, escaped: boolean) => {
      const json = JSON.stringify(variety(project));
      return escaped ? json.replace(/é/g, '\\u00e9').replace(/😀/g, '\\ud83d\\ude00') : json;
    };
    const copiedBatches = logs.batches.copied;
    expect(await logs.insertJson(batchOf(copied, true))).toBe(8);
    expect(logs.batches.copied).toBe(copiedBatches + 1);
    const insertCopied = jest.spyOn(logs as unknown as { insertCopied: () => Promise<number> }, 'insertCopied').mockRejectedValueOnce(new Error('take the statement'));
    const statementBatches = logs.batches.byStatement;
    expect(await logs.insertJson(batchOf(byStatement, false))).toBe(8);
    insertCopied.mockRestore();
    expect(logs.batches.byStatement).toBe(statementBatches + 1);

    const rowsOf = async (table: string, project: string, without: string[], order: string) =>
      ((await ds.query(`SELECT * FROM ${table} WHERE project_id = $1 ORDER BY ${order}`, [project])) as Record<string, unknown>[]).map((row) =>
        Object.fromEntries(Object.entries(row).filter(([k]) => !['project_id', 'organization_id', ...without].includes(k))),
      );
    const same = async (table: string, without: string[], order: string) => {
      const [a, b] = [await rowsOf(table, copied.id, without, order), await rowsOf(table, byStatement.id, without, order)];
      expect(a.length).toBeGreaterThan(0);
      expect(a).toEqual(b);
    };
    await same('request_logs', ['id', 'request_id', 'created_at'], 'request_id');
    await same('request_log_bodies', ['log_id', 'created_at'], 'request');
    for (const table of ['request_log_rollups', 'request_log_hourly_rollups', 'request_log_metadata_rollups', 'request_log_metadata_hourly_rollups', 'request_log_dimension_hourly_rollups', 'request_log_dimension_daily_rollups']) {
      await same(table, [], '2, 3, 4, 5');
    }
    expect(await logs.storedCount(copied.id)).toBe(8);
  });

  it('a record COPY would not store exactly as the statement reads it (a number with an exponent as text) makes the batch take the statement', async () => {
    const project = await insertProjectRow(ds);
    const record = requestLogFixture(project, { customerIdentifier: 1e21 as unknown as string, cost: 1e-7 });
    const byStatement = logs.batches.byStatement;
    expect(await logs.insertJson(JSON.stringify([record]))).toBe(1);
    expect(logs.batches.byStatement).toBe(byStatement + 1);
    expect(await logs.findById(project.id, record.id)).toMatchObject({ customerIdentifier: '1000000000000000000000', cost: '0.0000001' });
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
        const copied = logs.batches.copied;
        expect(await logs.insertJson(JSON.stringify(records.slice(0, 2)))).toBe(2);
        expect(await logs.insertJson(JSON.stringify([records[4], records[2], records[3]]))).toBe(1);
        expect(await logs.insertJson(JSON.stringify([records[5]]))).toBe(0);
        expect(logs.batches.copied).toBe(copied + 3);
        expect(await storedIds(project.id)).toEqual(records.slice(0, 3).map((r) => r.id));
        expect(await logs.storedCount(project.id)).toBe(3);
      }
    });

    it('concurrent writers of the same projects (capped, DELETE_OLDEST, unlimited, mixed in each batch) count every row once, without deadlock', async () => {
      const capped = await limited('STOP_INSERTING');
      const oldest = await limited('DELETE_OLDEST');
      const open = await insertProjectRow(ds);
      const batches = Array.from({ length: 8 }, (_, b) =>
        JSON.stringify([open, capped, oldest].flatMap((p) => Array.from({ length: 5 }, (_, i) => at(p, b * 5 + i)))),
      );
      const inserted = await Promise.all(batches.map((batch) => logs.insertJson(batch)));
      expect(inserted.reduce((a, b) => a + b, 0)).toBe(40 + 3 + 40);
      expect(await logs.storedCount(open.id)).toBe(40);
      expect(await logs.count(open.id)).toBe(40);
      expect(await logs.storedCount(capped.id)).toBe(3);
      expect((await storedIds(capped.id)).length).toBe(3);
      expect(await logs.storedCount(oldest.id)).toBe(3);
      expect((await storedIds(oldest.id)).length).toBe(3);
      const [{ n }] = (await ds.query(`SELECT sum(requests)::integer AS n FROM request_log_rollups WHERE project_id = $1`, [open.id])) as [{ n: number }];
      expect(n).toBe(40);
    });

    it("takes an unlimited project's counter row at the end of the transaction, a capped project's before the insert", async () => {
      const waitingQuery = async (): Promise<string> => {
        for (let i = 0; i < 200; i += 1) {
          const rows = (await ds.query(`SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)) as { query: string }[];
          if (rows[0]) return rows[0].query;
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error('no writer waited for the counter row');
      };
      for (const [project, waitsIn] of [[await insertProjectRow(ds), 'unnest($1::uuid[], $2::bigint[])'], [await limited('STOP_INSERTING'), 'FOR KEY SHARE']] as const) {
        await logs.insertJson(JSON.stringify([at(project, 0)]));
        const holder = ds.createQueryRunner();
        await holder.startTransaction();
        await holder.query(`SELECT stored FROM request_log_counts WHERE project_id = $1 FOR UPDATE`, [project.id]);
        const writing = logs.insertJson(JSON.stringify([at(project, 1)]));
        expect(await waitingQuery()).toContain(waitsIn);
        await holder.commitTransaction();
        await holder.release();
        expect(await writing).toBe(1);
        expect(await logs.storedCount(project.id)).toBe(2);
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
