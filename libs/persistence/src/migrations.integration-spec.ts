import { createTestEnvironment, type TestEnvironment } from '@switchyard/testing';
import { createDataSource } from './data-source';
import { migrateDownAll, migrateUp } from './migrate';
import { MIGRATIONS } from './migrations';
import { ROLLUP_TABLES } from './migrations/1796570000000-request-log-rollups-fillfactor';

describe('migrations', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await createTestEnvironment();
  });
  afterAll(async () => {
    await env.cleanup();
  });

  it('go down to empty and up again, idempotently', async () => {
    const ds = await createDataSource(env.config).initialize();
    try {
      const tables = async () =>
        ((await ds.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY 1`)) as { tablename: string }[]).map(
          (r) => r.tablename,
        );
      // The day partitions of the logs and bodies depend on the day the migrations ran (the template database may have
      // been migrated before midnight UTC and this test run after it): compared apart, against the day of the run.
      const isDayPartition = (t: string) => /^request_log(s|_bodies)_\d{8}$/.test(t);
      const utcDay = async () => ((await ds.query(`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS d`)) as { d: string }[])[0]!.d;
      const before = await tables();
      expect(before).toEqual(expect.arrayContaining(['access_keys', 'connections', 'organizations', 'projects']));
      expect(await migrateDownAll(ds)).toBe(MIGRATIONS.length);
      expect(await tables()).toEqual([]);
      const dayBefore = await utcDay();
      expect(await migrateUp(ds)).toHaveLength(MIGRATIONS.length);
      const dayAfter = await utcDay();
      const after = await tables();
      expect(after.filter((t) => !isDayPartition(t))).toEqual(before.filter((t) => !isDayPartition(t)));
      // Yesterday's partitions and a week ahead (the first migration's window), for the day it ran on.
      const window = (day: string) =>
        Array.from({ length: 8 }, (_, i) => new Date(Date.parse(`${day}T00:00:00Z`) + (i - 1) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, ''))
          .flatMap((d) => [`request_log_bodies_${d}`, `request_logs_${d}`])
          .sort();
      expect([window(dayBefore), window(dayAfter)]).toContainEqual(after.filter(isDayPartition).sort());
      expect(await migrateUp(ds)).toEqual([]);
      // Request logs and bodies are partitioned by day, with today's partitions created ahead.
      const today = dayAfter.replace(/-/g, '');
      const partitioned = (await ds.query(
        `SELECT c.relname, c.relkind FROM pg_class c WHERE c.relname IN ('request_logs', 'request_log_bodies', $1, $2) ORDER BY 1`,
        [`request_logs_${today}`, `request_log_bodies_${today}`],
      )) as { relname: string; relkind: string }[];
      expect(partitioned.map((r) => `${r.relname}:${r.relkind}`)).toEqual([
        'request_log_bodies:p', `request_log_bodies_${today}:r`, 'request_logs:p', `request_logs_${today}:r`,
      ]);
      // Migration 1796556727406: no GIN index on the logs' metadata; the bodies compressed with lz4 on the table, the day
      // partitions it had and those created later.
      const indexes = (await ds.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'request_logs' ORDER BY 1`)) as { indexname: string }[];
      expect(indexes.map((r) => r.indexname)).not.toContain('request_logs_metadata');
      expect(indexes.map((r) => r.indexname)).toEqual(expect.arrayContaining(['request_logs_pkey', 'request_logs_project_created', 'request_logs_project_model']));
      await ds.query(`SELECT request_log_ensure_partitions(ARRAY['2031-01-01'::date])`);
      const compression = (await ds.query(
        `SELECT c.relname, a.attname, a.attcompression FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relname IN ('request_log_bodies', $1, 'request_log_bodies_20310101') AND a.attname IN ('request', 'response') ORDER BY 1, 2`,
        [`request_log_bodies_${today}`],
      )) as { relname: string; attname: string; attcompression: string }[];
      expect(compression).toHaveLength(6);
      expect(compression.every((r) => r.attcompression === 'l')).toBe(true);
      // Migration 1796570000000: the rollup tables leave room on their pages for the writer's updates.
      const options = (await ds.query(`SELECT relname, reloptions FROM pg_class WHERE relname = ANY($1) ORDER BY 1`, [ROLLUP_TABLES])) as {
        relname: string;
        reloptions: string[] | null;
      }[];
      expect(options.map((r) => `${r.relname}:${r.reloptions?.join(',')}`)).toEqual([...ROLLUP_TABLES].sort().map((t) => `${t}:fillfactor=60`));
    } finally {
      await ds.destroy();
    }
  });
});
