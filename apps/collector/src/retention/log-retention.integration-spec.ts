import { createDataSource, ProjectsRepository, RequestLogsRepository, RunsRepository, SpansRepository } from '@switchyard/persistence';
import { createTestEnvironment, insertProjectRow, requestLogFixture, type TestEnvironment } from '@switchyard/testing';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { RetentionService } from './retention.service';

const DAY_MS = 86_400_000;

describe('RetentionService and request logs', () => {
  let env: TestEnvironment;
  let ds: DataSource;

  beforeAll(async () => {
    env = await createTestEnvironment();
    ds = await createDataSource(env.config, 'log-retention-test').initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  it('drops the day partitions older than the longest retention, and deletes in batches per project otherwise', async () => {
    const now = Date.now();
    const short = await insertProjectRow(ds, { retentionDays: 7 });
    const long = await insertProjectRow(ds, { retentionDays: 30 });
    const ageDays = [2, 10, 11, 12, 45];
    const records = (project: { id: string; org: string }) =>
      ageDays.map((age) => requestLogFixture(project, { createdAt: new Date(now - age * DAY_MS).toISOString() }));
    const [shortRecords, longRecords] = [records(short), records(long)];
    const logs = new RequestLogsRepository(ds);
    await logs.insertJson(JSON.stringify([...shortRecords, ...longRecords]));
    const oldDay = new Date(now - 45 * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '');
    const partitionExists = async () => Number((await ds.query(`SELECT count(*) AS n FROM pg_class WHERE relname = $1`, [`request_logs_${oldDay}`]))[0].n) === 1;
    expect(await partitionExists()).toBe(true);

    const retention = new RetentionService(
      { ...env.config, serviceName: 'collector' }, {} as Redis, new ProjectsRepository(ds), new SpansRepository(ds), new RunsRepository(ds), logs,
    );
    const deleteOlderThan = logs.deleteOlderThan.bind(logs);
    const batches = jest.spyOn(logs, 'deleteOlderThan').mockImplementation((projectId, cutoff) => deleteOlderThan(projectId, cutoff, 1));
    await retention.runOnce(now);

    expect(await partitionExists()).toBe(false);
    const ids = async (projectId: string) =>
      ((await ds.query(`SELECT id::text FROM request_logs WHERE project_id = $1 ORDER BY created_at DESC`, [projectId])) as { id: string }[]).map((r) => r.id);
    expect(await ids(short.id)).toEqual([shortRecords[0]!.id]);
    expect(await ids(long.id)).toEqual(longRecords.slice(0, 4).map((r) => r.id));
    expect([await logs.storedCount(short.id), await logs.storedCount(long.id)]).toEqual([1, 4]);
    expect(batches).toHaveBeenCalledTimes(1); // only the short project is deleted row by row
    // A second pass has nothing left to do.
    await retention.runOnce(now);
    expect([await logs.count(short.id), await logs.count(long.id)]).toEqual([1, 4]);
  });
});
