import type { DataSource } from 'typeorm';
import { RequestLogBodyEntity, RequestLogEntity } from '../entities';
import type { JsonbParam } from './jsonb-param';
import { histogramAddSql, histogramBucketSql, histogramCountsSql, histogramSumSql } from './latency-histogram';
import { preparedQuery } from './prepared-statement';
import { likePattern, LOG_ORDER_COLUMNS, logFilterConditions, type LogFilter, type LogOrderBy } from './log-filters';

/** A JSON field of the record `e` as a column value: JSON null and absent are SQL NULL. */
const json = (path: string) => `NULLIF(e${path}, 'null'::jsonb)`;

/**
 * Creates or locks the counter rows of the batch's existing projects (in id order, so concurrent writers do not
 * deadlock) and key-shares their project rows (what a foreign key check would take per row), for the rest of
 * the transaction: the insert then reads stable counts, and a project cannot be deleted under it.
 */
const LOCK_COUNTS = `
INSERT INTO request_log_counts AS c (project_id)
SELECT id FROM projects WHERE id = ANY($1::uuid[]) ORDER BY id FOR KEY SHARE
ON CONFLICT (project_id) DO UPDATE SET stored = c.stored`;

/** What a rollup row adds up over the inserted rows it stands for (a histogram: see latency-histogram.ts). */
const ROLLUP_MEASURES: Record<string, string> = {
  requests: 'count(*)',
  errors: 'count(*) FILTER (WHERE NOT success)',
  cached: 'count(*) FILTER (WHERE cached)',
  tokens_input: 'sum(tokens_input)',
  tokens_cache_read: 'sum(tokens_cache_read)',
  tokens_cache_write: 'sum(tokens_cache_write)',
  tokens_reasoning: 'sum(tokens_reasoning)',
  tokens_output: 'sum(tokens_output)',
  cost: 'COALESCE(sum(cost), 0)',
  duration_ms: 'sum(duration_ms)',
  duration_hist: histogramCountsSql('duration_b'),
  ttfb_hist: histogramCountsSql('ttfb_b'),
};

/** The same measures summed over rows that already hold them (minute groups -> hours: exactly the sums over their logs). */
const ROLLUP_SUMS: Record<string, string> = {
  ...Object.fromEntries(Object.keys(ROLLUP_MEASURES).map((c) => [c, `sum(${c})`])),
  duration_hist: histogramSumSql('duration_hist'),
  ttfb_hist: histogramSumSql('ttfb_hist'),
};

/** The dimensions of `request_log_rollups` ('' for none). */
const ROLLUP_DIMENSIONS = {
  model: "COALESCE(model, '')",
  provider: "COALESCE(provider, '')",
  key_id: "COALESCE(key_id, '')",
  customer_identifier: "COALESCE(customer_identifier, '')",
};

/** The dimensions of the metadata rollups (over `meta`: inserted rows with one of their metadata entries each). */
const METADATA_DIMENSIONS = { key: 'key', value: 'value' };

/** A stored row's metadata entries counted in `request_log_metadata_rollups`: its first 10 scalar ones, values cut at 256 characters. */
const METADATA_ENTRIES = `SELECT e.key, left(e.value #>> '{}', 256) AS value FROM jsonb_each(ins.metadata) e
  WHERE jsonb_typeof(e.value) IN ('string', 'number', 'boolean') AND length(e.key) <= 256 LIMIT 10`;

/** A minute group (`minutes`) once per dimension of `request_log_dimension_hourly_rollups` (its key and its customer, '' for none). */
const DIMENSION_ENTRIES = `VALUES ('key_id', minutes.key_id), ('customer_identifier', minutes.customer_identifier)`;

/**
 * The rows of `from` grouped by project, `unit` (minute, hour or day, of the timestamp column `time`) and `dimensions`
 * (column -> expression), with `measures` (ROLLUP_MEASURES over inserted logs, ROLLUP_SUMS over minute groups).
 */
function rollupGroups(unit: 'minute' | 'hour' | 'day', time: string, dimensions: Record<string, string>, from: string, measures: Record<string, string>): string {
  const groups = Array.from({ length: Object.keys(dimensions).length + 2 }, (_, i) => i + 1).join(', ');
  return `SELECT project_id, date_trunc('${unit}', ${time} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS bucket,
    ${Object.entries(dimensions).map(([c, e]) => `${e} AS ${c}`).join(', ')},
    ${Object.entries(measures).map(([c, e]) => `${e} AS ${c}`).join(', ')}
  FROM ${from} GROUP BY ${groups}`;
}

/** Adds grouped rows (`rows`: a SELECT with rollupGroups' columns) to a rollup table keyed by project, bucket and `dims`. */
function rollupInsert(table: string, dims: string[], rows: string): string {
  const measures = Object.keys(ROLLUP_MEASURES);
  const key = ['project_id', 'bucket', ...dims].join(', ');
  const merge = (c: string) => (c.endsWith('_hist') ? `${c} = ${histogramAddSql(`r.${c}`, `EXCLUDED.${c}`)}` : `${c} = r.${c} + EXCLUDED.${c}`);
  return `INSERT INTO ${table} AS r (${key}, ${measures.join(', ')})
  SELECT ${key}, ${measures.join(', ')} FROM (${rows}) g ORDER BY ${key}
  ON CONFLICT (${key}) DO UPDATE SET ${measures.map(merge).join(', ')}`;
}

/**
 * The rollups of the inserted rows (`ins`), as CTEs: each row is counted once per grain, into its minute group
 * (model, provider, key, customer: `minutes`) and its metadata minute groups (`meta_minutes`); the hourly rollups
 * and the daily key and customer ones are summed from those groups (no more rows than the logs, usually far fewer;
 * the 54-bucket histograms are dear to count row by row).
 */
const ROLLUPS = `minutes AS (
  ${rollupGroups('minute', 'created_at', ROLLUP_DIMENSIONS, 'ins', ROLLUP_MEASURES)}
), rolled AS (
  ${rollupInsert('request_log_rollups', Object.keys(ROLLUP_DIMENSIONS), 'SELECT * FROM minutes')}
), rolled_hourly AS (
  ${rollupInsert('request_log_hourly_rollups', ['model', 'provider'], rollupGroups('hour', 'bucket', { model: 'model', provider: 'provider' }, 'minutes', ROLLUP_SUMS))}
), dims AS (
  SELECT minutes.*, d.dimension, d.value FROM minutes CROSS JOIN LATERAL (${DIMENSION_ENTRIES}) d(dimension, value)
), dims_rolled_hourly AS (
  ${rollupInsert('request_log_dimension_hourly_rollups', ['dimension', 'value'], rollupGroups('hour', 'bucket', { dimension: 'dimension', value: 'value' }, 'dims', ROLLUP_SUMS))}
), dims_rolled_daily AS (
  ${rollupInsert('request_log_dimension_daily_rollups', ['dimension', 'value'], rollupGroups('day', 'bucket', { dimension: 'dimension', value: 'value' }, 'dims', ROLLUP_SUMS))}
), meta AS (
  SELECT ins.*, m.key, m.value FROM ins CROSS JOIN LATERAL (${METADATA_ENTRIES}) m
), meta_minutes AS (
  ${rollupGroups('minute', 'created_at', METADATA_DIMENSIONS, 'meta', ROLLUP_MEASURES)}
), meta_rolled AS (
  ${rollupInsert('request_log_metadata_rollups', ['key', 'value'], 'SELECT * FROM meta_minutes')}
), meta_rolled_hourly AS (
  ${rollupInsert('request_log_metadata_hourly_rollups', ['key', 'value'], rollupGroups('hour', 'bucket', METADATA_DIMENSIONS, 'meta_minutes', ROLLUP_SUMS))}
)`;

/**
 * Inserts a batch of request log records (the JSON array the log stream holds: camelCase RequestLogRecords of
 * `@switchyard/metering`) and their bodies in one statement, idempotently on (id, created_at): a batch written
 * twice stores nothing twice. Records of a project that no longer exists are not stored. `log_management`: with
 * STOP_INSERTING (or no strategy), a project's records past its limit are not stored (the batch's earliest are
 * kept); each project's counter and its per-minute and hourly rollups (metadata rollups, and the hourly and daily key and
 * customer rollups) are raised by the rows actually inserted. Returns the rows inserted and the
 * DELETE_OLDEST projects now over their limit, with by how much.
 */
const INSERT_LOGS = `
WITH x AS (
  SELECT e, (e->>'id')::uuid AS id, (e->>'createdAt')::timestamptz AS created_at, (e->>'projectId')::uuid AS project_id,
    row_number() OVER (PARTITION BY e->>'projectId' ORDER BY e->>'createdAt', e->>'id') AS rn
  FROM jsonb_array_elements($1::jsonb) e
), p AS (
  SELECT p.id, p.log_management AS max_logs, COALESCE(p.log_management_strategy, 'STOP_INSERTING') AS strategy, COALESCE(c.stored, 0) AS stored
  FROM projects p LEFT JOIN request_log_counts c ON c.project_id = p.id
  WHERE p.id IN (SELECT DISTINCT project_id FROM x)
), ins AS (
  INSERT INTO request_logs (id, created_at, project_id, organization_id, request_id, event_id, key_id, customer_identifier,
    thread_identifier, custom_identifier, document_job_id, path, request_type, model_requested, model, provider, connection_id,
    status_code, success, cached, step, attempts, tokens_input, tokens_cache_read, tokens_cache_write, tokens_reasoning, tokens_output,
    cost, custom_cost, duration_ms, ttfb_ms, stream, metadata, routing, error_code, dlp, request_content_type, response_content_type, has_bodies)
  SELECT x.id, x.created_at, x.project_id, (e->>'organizationId')::uuid, e->>'requestId', e->>'eventId', e->>'keyId', e->>'customerIdentifier',
    e->>'threadIdentifier', e->>'customIdentifier', e->>'documentJobId', e->>'path', e->>'requestType', e->>'modelRequested', e->>'model',
    e->>'provider', e->>'connectionId', (e->>'statusCode')::smallint, (e->>'success')::boolean, (e->>'cached')::boolean,
    (e->>'step')::smallint, COALESCE(${json("->'attempts'")}, '[]'::jsonb),
    COALESCE((e->'tokens'->>'input')::bigint, 0), COALESCE((e->'tokens'->>'cacheRead')::bigint, 0),
    COALESCE((e->'tokens'->>'cacheWrite')::bigint, 0), COALESCE((e->'tokens'->>'reasoning')::bigint, 0),
    COALESCE((e->'tokens'->>'output')::bigint, 0), (e->>'cost')::numeric, COALESCE((e->>'customCost')::boolean, false),
    round((e->>'durationMs')::numeric)::integer, round((e->>'ttfbMs')::numeric)::integer, COALESCE((e->>'stream')::boolean, false),
    COALESCE(${json("->'metadata'")}, '{}'::jsonb), ${json("->'routing'")}, e->>'errorCode', ${json("->'dlp'")},
    e->'bodies'->>'requestContentType', e->'bodies'->>'responseContentType', ${json("->'bodies'")} IS NOT NULL
  FROM x JOIN p ON p.id = x.project_id
  WHERE p.max_logs IS NULL OR p.strategy <> 'STOP_INSERTING' OR p.stored + x.rn <= p.max_logs
  ON CONFLICT (id, created_at) DO NOTHING
  RETURNING id, created_at, project_id, model, provider, key_id, customer_identifier, success, cached, tokens_input, tokens_cache_read,
    tokens_cache_write, tokens_reasoning, tokens_output, cost, duration_ms, metadata,
    ${histogramBucketSql('duration_ms')} AS duration_b, ${histogramBucketSql('ttfb_ms')} AS ttfb_b
), ${ROLLUPS}, counted AS (
  INSERT INTO request_log_counts AS c (project_id, stored)
  SELECT project_id, count(*) FROM ins GROUP BY project_id ORDER BY project_id
  ON CONFLICT (project_id) DO UPDATE SET stored = c.stored + EXCLUDED.stored
  RETURNING c.project_id, c.stored
), bodies AS (
  INSERT INTO request_log_bodies (log_id, created_at, project_id, request, response, request_content_type, response_content_type,
    request_bytes, response_bytes, truncated)
  SELECT x.id, x.created_at, x.project_id, e->'bodies'->>'request', e->'bodies'->>'response', e->'bodies'->>'requestContentType',
    e->'bodies'->>'responseContentType', (e->'bodies'->>'requestBytes')::integer, (e->'bodies'->>'responseBytes')::integer,
    COALESCE((e->'bodies'->>'truncated')::boolean, false)
  FROM x JOIN ins ON ins.id = x.id AND ins.created_at = x.created_at
  WHERE ${json("->'bodies'")} IS NOT NULL
  ON CONFLICT (log_id, created_at) DO NOTHING
)
SELECT (SELECT count(*) FROM ins)::integer AS inserted,
  COALESCE((SELECT json_agg(json_build_object('projectId', counted.project_id, 'excess', counted.stored - p.max_logs))
    FROM counted JOIN p ON p.id = counted.project_id
    WHERE p.strategy = 'DELETE_OLDEST' AND counted.stored > p.max_logs), '[]'::json) AS over`;

/**
 * Deletes the logs that `victims` (a SELECT of id, created_at of project $1) names, their bodies, and lowers
 * the project's counter by as many; returns the number deleted.
 */
const deleteLogs = (victims: string) => `
WITH victims AS (${victims}), gone AS (
  DELETE FROM request_logs l USING victims v WHERE l.project_id = $1 AND l.id = v.id AND l.created_at = v.created_at
  RETURNING l.id, l.created_at
), gone_bodies AS (
  DELETE FROM request_log_bodies b USING gone g WHERE b.project_id = $1 AND b.log_id = g.id AND b.created_at = g.created_at
), counted AS (
  UPDATE request_log_counts SET stored = GREATEST(stored - (SELECT count(*) FROM gone), 0) WHERE project_id = $1
)
SELECT count(*)::integer AS n FROM gone`;

/** DELETE_OLDEST: the project's $2 oldest logs. */
const DELETE_OLDEST = deleteLogs(`SELECT id, created_at FROM request_logs WHERE project_id = $1 ORDER BY created_at, id LIMIT $2`);
/** Retention: at most $3 of the project's logs created before $2. */
const DELETE_BEFORE = deleteLogs(`SELECT id, created_at FROM request_logs WHERE project_id = $1 AND created_at < $2 ORDER BY created_at, id LIMIT $3`);

/** Day partitions of request_logs (name and day), oldest first. */
const LIST_PARTITIONS = `
SELECT c.relname AS name, substr(c.relname, 14) AS day FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class parent ON parent.oid = i.inhparent
WHERE parent.relname = 'request_logs' AND c.relname ~ '^request_logs_[0-9]{8}$' ORDER BY 1`;

/** The time span of some rows (`created_at` read as Dates, which keep milliseconds only): [earliest, latest + 1 ms). */
function spanOf(rows: { created_at: Date }[]): { lo: Date; hi: Date } {
  const times = rows.map((r) => r.created_at.getTime());
  return { lo: new Date(Math.min(...times)), hi: new Date(Math.max(...times) + 1) };
}

/** The most rows one statement deletes (retention, DELETE_OLDEST). */
const DELETE_BATCH = 10_000;

const PROJECT_ID_FIELD = '"projectId":"';
const UUID = /^[0-9a-fA-F-]{36}"$/;

/**
 * The project ids a log batch names (`"projectId":"…"` as JSON.stringify writes it; a superset is harmless), found
 * in the JSON text or its UTF-8 bytes without decoding the batch.
 */
export function projectIdsOf(records: JsonbParam): string[] {
  const ids = new Set<string>();
  for (let at = records.indexOf(PROJECT_ID_FIELD); at >= 0; at = records.indexOf(PROJECT_ID_FIELD, at + 1)) {
    const from = at + PROJECT_ID_FIELD.length;
    const text = typeof records === 'string' ? records.slice(from, from + 37) : records.toString('latin1', from, from + 37);
    if (UUID.test(text)) ids.add(text.slice(0, 36).toLowerCase());
  }
  return [...ids].sort();
}

/** The UTC days (YYYY-MM-DD) of a batch's records, for the partitions it needs. */
const BATCH_DAYS = `SELECT DISTINCT ((e->>'createdAt')::timestamptz AT TIME ZONE 'UTC')::date::text AS day FROM jsonb_array_elements($1::jsonb) e`;

/** PostgreSQL's "no partition of relation … found for row" (a check_violation). */
const isMissingPartition = (err: unknown): boolean => {
  const e = err as { code?: unknown; driverError?: { code?: unknown }; message?: unknown };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23514' && /no partition/i.test(String(e?.message ?? ''));
};

/** A row's place in created_at order, exactly: `createdAt` to the microsecond (ISO 8601, UTC), where a Date keeps milliseconds only. */
export interface LogKey {
  createdAt: string;
  id: string;
}

/** `l.created_at` as ISO 8601 text in UTC with its microseconds (what a keyset cursor must carry). */
const EXACT_CREATED_AT = `to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface LogPage {
  limit: number;
  /** The last row of the previous page: rows strictly older are returned. */
  before?: { createdAt: Date; id: string };
}

/** A query over one project's logs (`GET /v1/logs`, bulk delete). */
export interface LogQuery {
  filters: LogFilter[];
  /** Text searched (case-insensitively) in the metadata and both bodies. */
  search?: string;
  orderBy: LogOrderBy;
  direction: 'asc' | 'desc';
  limit: number;
  /** Keyset paging (order by created_at only): the last row of the previous page. */
  after?: { createdAt: string; id: string };
  offset?: number;
}

/** A log row with its bodies' sizes and first characters (no whole bodies). */
export interface LogDetailRow {
  log: RequestLogEntity;
  bodies: { requestBytes: number; responseBytes: number; truncated: boolean; requestHead: string | null; responseHead: string | null } | null;
}

/** The fields `PATCH /v1/logs/{id}` may set (metadata is merged, key by key). */
export interface LogPatch {
  feedback?: -1 | 1 | null;
  score?: number | null;
  metadata?: Record<string, string | number | boolean | null>;
}

/** Request logs and their bodies. Every finder takes the project id first; the batch insert is scoped by each record's project. */
export class RequestLogsRepository {
  constructor(private readonly ds: DataSource) {}

  private get logs() {
    return this.ds.getRepository(RequestLogEntity);
  }

  /**
   * Stores a JSON array of RequestLogRecords (what the log stream holds; a Buffer: jsonbArrayParam). A record whose day has no
   * partition yet makes the partitions of the batch's days be created, then the batch is retried.
   * Returns the number of records newly stored (duplicates and records of deleted projects are not).
   */
  async insertJson(recordsJson: JsonbParam): Promise<number> {
    try {
      return await this.insertOnce(recordsJson);
    } catch (err) {
      if (!isMissingPartition(err)) throw err;
      const days = ((await this.ds.query(BATCH_DAYS, [recordsJson])) as { day: string }[]).map((r) => r.day);
      await this.ensurePartitions(days);
      return this.insertOnce(recordsJson);
    }
  }

  /** One transaction: lock the counters, insert, then trim DELETE_OLDEST projects over their limit (in bounded statements). */
  private insertOnce(recordsJson: JsonbParam): Promise<number> {
    return this.ds.transaction(async (tx) => {
      await tx.query(LOCK_COUNTS, [projectIdsOf(recordsJson)]);
      const [row] = await preparedQuery<{ inserted: number; over: { projectId: string; excess: number }[] }>(tx.queryRunner!, 'request_logs_insert', INSERT_LOGS, [recordsJson]);
      for (const { projectId, excess } of row?.over ?? []) {
        for (let left = excess; left > 0; left -= DELETE_BATCH) {
          const [{ n }] = (await tx.query(DELETE_OLDEST, [projectId, Math.min(left, DELETE_BATCH)])) as [{ n: number }];
          if (n === 0) break;
        }
      }
      return row?.inserted ?? 0;
    });
  }

  /** Creates the missing day partitions (YYYY-MM-DD, UTC) of both tables; returns how many tables were created. */
  async ensurePartitions(days: string[]): Promise<number> {
    if (!days.length) return 0;
    const rows = (await this.ds.query(`SELECT request_log_ensure_partitions($1::date[]) AS n`, [days])) as { n: number }[];
    return rows[0]?.n ?? 0;
  }

  findById(projectId: string, id: string): Promise<RequestLogEntity | null> {
    return this.logs.findOneBy({ projectId, id });
  }

  findBodies(projectId: string, logId: string): Promise<RequestLogBodyEntity | null> {
    return this.ds.getRepository(RequestLogBodyEntity).findOneBy({ projectId, logId });
  }

  /** A project's logs, newest first, keyset-paged on (created_at, id). */
  list(projectId: string, page: LogPage): Promise<RequestLogEntity[]> {
    const q = this.logs
      .createQueryBuilder('l')
      .where('l.project_id = :projectId', { projectId })
      .orderBy('l.created_at', 'DESC')
      .addOrderBy('l.id', 'DESC')
      .limit(page.limit);
    if (page.before) q.andWhere('(l.created_at, l.id) < (:createdAt, :id)', page.before);
    return q.getMany();
  }

  /**
   * Retention, whole partitions: drops the day partitions (logs and bodies) that end before `cutoff`, lowering
   * each project's counter by its rows in them. Returns the days dropped (YYYYMMDD).
   */
  async dropPartitionsBefore(cutoff: Date): Promise<string[]> {
    const cutoffDay = cutoff.toISOString().slice(0, 10).replace(/-/g, '');
    const dropped: string[] = [];
    for (const { day } of (await this.ds.query(LIST_PARTITIONS)) as { name: string; day: string }[]) {
      // A partition holds [day, day + 1): it is wholly older than the cutoff when day + 1 <= cutoff day.
      if (day >= cutoffDay) break;
      await this.ds.transaction(async (tx) => {
        await tx.query(`LOCK TABLE request_logs_${day}, request_log_bodies_${day} IN ACCESS EXCLUSIVE MODE`);
        await tx.query(
          `UPDATE request_log_counts c SET stored = GREATEST(c.stored - x.n, 0)
           FROM (SELECT project_id, count(*) AS n FROM request_logs_${day} GROUP BY project_id) x WHERE c.project_id = x.project_id`,
        );
        await tx.query(`DROP TABLE request_log_bodies_${day}, request_logs_${day}`);
      });
      dropped.push(day);
    }
    return dropped;
  }

  /** Retention, per project: deletes its logs created before `cutoff`, in statements of at most `batchSize`; returns how many. */
  async deleteOlderThan(projectId: string, cutoff: Date, batchSize = DELETE_BATCH): Promise<number> {
    let total = 0;
    for (;;) {
      const [{ n }] = (await this.ds.query(DELETE_BEFORE, [projectId, cutoff, batchSize])) as [{ n: number }];
      total += n;
      if (n < batchSize) return total;
    }
  }

  /** The WHERE (project $1 first), ORDER BY of a query over `request_logs l`, its parameters bound from $2 on. */
  private where(projectId: string, q: Omit<LogQuery, 'limit'>) {
    const params: unknown[] = [projectId];
    const bind = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['l.project_id = $1', ...logFilterConditions(q.filters, bind)];
    if (q.search) {
      const s = bind(likePattern(q.search));
      where.push(`(l.metadata::text ILIKE ${s} OR EXISTS (SELECT 1 FROM request_log_bodies b WHERE b.project_id = l.project_id
        AND b.log_id = l.id AND b.created_at = l.created_at AND (b.request ILIKE ${s} OR b.response ILIKE ${s})))`);
    }
    const dir = q.direction === 'asc' ? 'ASC' : 'DESC';
    if (q.after) where.push(`(l.created_at, l.id) ${dir === 'ASC' ? '>' : '<'} (${bind(q.after.createdAt)}::timestamptz, ${bind(q.after.id)}::uuid)`);
    const column = LOG_ORDER_COLUMNS[q.orderBy];
    const order = column === 'l.created_at' ? `l.created_at ${dir}, l.id ${dir}` : `${column} ${dir} NULLS LAST, l.created_at ${dir}, l.id ${dir}`;
    return { where: where.join(' AND '), order, params, bind };
  }

  /** A page of a project's logs matching the query. */
  async search(projectId: string, q: LogQuery): Promise<RequestLogEntity[]> {
    return (await this.searchKeyed(projectId, q)).map((r) => r.row);
  }

  /** A page of a project's logs matching the query, each with its exact keyset position (for the next page's cursor). */
  async searchKeyed(projectId: string, q: LogQuery): Promise<{ row: RequestLogEntity; key: LogKey }[]> {
    const { where, order, bind, params } = this.where(projectId, q);
    const limit = bind(q.limit);
    const offset = q.offset ? ` OFFSET ${bind(q.offset)}` : '';
    const ids = (await this.ds.query(
      `SELECT l.id, l.created_at, ${EXACT_CREATED_AT} AS created_key FROM request_logs l WHERE ${where} ORDER BY ${order} LIMIT ${limit}${offset}`,
      params,
    )) as { id: string; created_at: Date; created_key: string }[];
    if (!ids.length) return [];
    const rows = await this.logs
      .createQueryBuilder('l')
      // The page's time span too: PostgreSQL then reads only the day partitions holding the page, not every
      // partition's index (the span's end is 1 ms past the last row: a Date drops the microseconds).
      .where('l.project_id = :projectId AND l.id IN (:...ids) AND l.created_at >= :lo AND l.created_at < :hi', { projectId, ids: ids.map((r) => r.id), ...spanOf(ids) })
      .getMany();
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((r) => {
      const row = byId.get(r.id);
      return row ? [{ row, key: { createdAt: r.created_key, id: r.id } }] : [];
    });
  }

  /** How many of a project's logs match the query (its filters and search; paging ignored). */
  async countMatching(projectId: string, q: LogQuery): Promise<number> {
    const { where, params } = this.where(projectId, q);
    const [row] = (await this.ds.query(`SELECT count(*)::int AS n FROM request_logs l WHERE ${where}`, params)) as [{ n: number }];
    return row.n;
  }

  /** Deletes a project's logs matching the query (its order and limit: at most `limit`), in bounded statements; returns how many. */
  async deleteMatching(projectId: string, q: Omit<LogQuery, 'after' | 'offset'>): Promise<number> {
    let total = 0;
    while (total < q.limit) {
      const { where, order, bind, params } = this.where(projectId, q);
      const batch = Math.min(DELETE_BATCH, q.limit - total);
      const victims = `SELECT l.id, l.created_at FROM request_logs l WHERE ${where} ORDER BY ${order} LIMIT ${bind(batch)}`;
      const [{ n }] = (await this.ds.query(deleteLogs(victims), params)) as [{ n: number }];
      total += n;
      if (n < batch) break;
    }
    return total;
  }

  /** One log with its bodies' sizes and their first `headChars` characters. */
  async findDetail(projectId: string, id: string, headChars = 1_000): Promise<LogDetailRow | null> {
    const log = await this.findById(projectId, id);
    if (!log) return null;
    const rows = (await this.ds.query(
      `SELECT request_bytes, response_bytes, truncated, left(request, $4) AS request_head, left(response, $4) AS response_head
       FROM request_log_bodies WHERE project_id = $1 AND log_id = $2 AND created_at = $3`,
      [projectId, id, log.createdAt, headChars],
    )) as { request_bytes: number; response_bytes: number; truncated: boolean; request_head: string | null; response_head: string | null }[];
    const b = rows[0];
    return {
      log,
      bodies: b
        ? { requestBytes: b.request_bytes, responseBytes: b.response_bytes, truncated: b.truncated, requestHead: b.request_head, responseHead: b.response_head }
        : null,
    };
  }

  /** Sets feedback and score, merges metadata scalars; returns the updated log, or null when the project has no such log. */
  async patch(projectId: string, id: string, patch: LogPatch): Promise<RequestLogEntity | null> {
    const params: unknown[] = [projectId, id];
    const bind = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const set: string[] = [];
    if (patch.feedback !== undefined) set.push(`feedback = ${bind(patch.feedback)}::smallint`);
    if (patch.score !== undefined) set.push(`score = ${bind(patch.score)}::numeric`);
    if (patch.metadata !== undefined) set.push(`metadata = metadata || ${bind(JSON.stringify(patch.metadata))}::jsonb`);
    if (set.length) {
      const res = (await this.ds.query(`UPDATE request_logs SET ${set.join(', ')} WHERE project_id = $1 AND id = $2`, params)) as [unknown, number];
      if (res[1] === 0) return null;
    }
    return this.findById(projectId, id);
  }

  /** The project's stored logs as the counter row keeps them (no count(*)). */
  async storedCount(projectId: string): Promise<number> {
    const rows = (await this.ds.query(`SELECT stored::text AS n FROM request_log_counts WHERE project_id = $1`, [projectId])) as { n: string }[];
    return Number(rows[0]?.n ?? 0);
  }

  async count(projectId: string): Promise<number> {
    return this.logs.countBy({ projectId });
  }
}
