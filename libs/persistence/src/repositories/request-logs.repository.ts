import { isUuid } from '@switchyard/types';
import type { DataSource, EntityManager } from 'typeorm';
import { RequestLogBodyEntity, RequestLogEntity } from '../entities';
import type { JsonbParam } from './jsonb-param';
import { histogramAddSql, histogramBucketSql, histogramCountsSql, histogramSumSql } from './latency-histogram';
import { BODY_COPY_COLUMNS, type CopiedRecord, type CopyBatch, copyBatch, type CopyClient, copyRows, keptRows, LOG_COPY_COLUMNS, NotCopyable } from './log-copy';
import { preparedQuery } from './prepared-statement';
import { likePattern, LOG_ORDER_COLUMNS, logFilterConditions, type LogFilter, type LogOrderBy } from './log-filters';

/** A JSON field of the record `e` as a column value: JSON null and absent are SQL NULL. */
const json = (path: string) => `NULLIF(e${path}, 'null'::jsonb)`;

/**
 * Key-shares the batch's project rows (what a foreign key check would take per row: a project cannot be deleted under
 * the insert) and creates or locks the counter rows of its capped projects (a `log_management` limit with
 * STOP_INSERTING), in id order, for the rest of the transaction: the insert then reads a stable count for them. The
 * other projects' counters are raised at the end of the transaction (COUNT_INSERTED), so concurrent writers of one
 * project overlap until then instead of queueing behind its counter row for the whole statement. Returns the projects
 * that exist, with the limit and stored count of the capped ones (what the COPY path checks the limit against).
 */
const LOCK_COUNTS = `
WITH batch AS MATERIALIZED (
  SELECT id, log_management, log_management IS NOT NULL AND COALESCE(log_management_strategy, 'STOP_INSERTING') = 'STOP_INSERTING' AS capped
  FROM projects WHERE id = ANY($1::uuid[]) ORDER BY id FOR KEY SHARE
), locked AS (
  INSERT INTO request_log_counts AS c (project_id)
  SELECT id FROM batch WHERE capped ORDER BY id
  ON CONFLICT (project_id) DO UPDATE SET stored = c.stored
  RETURNING c.project_id, c.stored
)
SELECT b.id, CASE WHEN b.capped THEN b.log_management - l.stored END::integer AS room
FROM batch b LEFT JOIN locked l ON l.project_id = b.id`;

/**
 * Raises the counters of the projects ($1) by the rows the batch inserted for them ($2), in id order (after the capped
 * ones LOCK_COUNTS took first, and after the rollup rows: every writer takes its locks in that order, so none waits
 * in a cycle); returns the DELETE_OLDEST projects now over their limit, with by how much.
 */
const COUNT_INSERTED = `
WITH counted AS (
  INSERT INTO request_log_counts AS c (project_id, stored)
  SELECT project_id, n FROM unnest($1::uuid[], $2::bigint[]) AS i(project_id, n) ORDER BY project_id
  ON CONFLICT (project_id) DO UPDATE SET stored = c.stored + EXCLUDED.stored
  RETURNING c.project_id, c.stored
)
SELECT counted.project_id AS "projectId", (counted.stored - p.log_management)::integer AS excess
FROM counted JOIN projects p ON p.id = counted.project_id
WHERE p.log_management_strategy = 'DELETE_OLDEST' AND counted.stored > p.log_management`;

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
 * kept); each project's per-minute and hourly rollups (metadata rollups, and the hourly and daily key and customer
 * rollups) are raised by the rows actually inserted. Returns the projects that rows were inserted for, and how many each
 * (for COUNT_INSERTED); the main query reads the bodies' insert first, so that the rollup upserts (whose row locks a
 * concurrent writer of the same rows waits for) run last.
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
), ${ROLLUPS}, bodies AS (
  INSERT INTO request_log_bodies (log_id, created_at, project_id, request, response, request_content_type, response_content_type,
    request_bytes, response_bytes, truncated)
  SELECT x.id, x.created_at, x.project_id, e->'bodies'->>'request', e->'bodies'->>'response', e->'bodies'->>'requestContentType',
    e->'bodies'->>'responseContentType', (e->'bodies'->>'requestBytes')::integer, (e->'bodies'->>'responseBytes')::integer,
    COALESCE((e->'bodies'->>'truncated')::boolean, false)
  FROM x JOIN ins ON ins.id = x.id AND ins.created_at = x.created_at
  WHERE ${json("->'bodies'")} IS NOT NULL
  ON CONFLICT (log_id, created_at) DO NOTHING
  RETURNING 1
)
SELECT (SELECT count(*) FROM bodies)::integer AS bodies,
  COALESCE((SELECT array_agg(project_id ORDER BY project_id) FROM (SELECT DISTINCT project_id FROM ins) i), '{}') AS projects,
  COALESCE((SELECT array_agg(n ORDER BY project_id) FROM (SELECT project_id, count(*) AS n FROM ins GROUP BY 1) i), '{}') AS counts`;

/**
 * The rollups of the rows the COPY path stored ($1 ids, $2 created_at: a key each; $3-$4 the range of created_at, so
 * that only that day's partitions are read): the same ROLLUPS as INSERT_LOGS's, over the rows read back instead of
 * the insert's RETURNING.
 */
const ROLLUP_COPIED = `
WITH ins AS (
  SELECT l.id, l.created_at, l.project_id, l.model, l.provider, l.key_id, l.customer_identifier, l.success, l.cached, l.tokens_input,
    l.tokens_cache_read, l.tokens_cache_write, l.tokens_reasoning, l.tokens_output, l.cost, l.duration_ms, l.metadata,
    ${histogramBucketSql('l.duration_ms')} AS duration_b, ${histogramBucketSql('l.ttfb_ms')} AS ttfb_b
  FROM unnest($1::uuid[], $2::timestamptz[]) AS k(id, created_at)
  JOIN request_logs l ON l.id = k.id AND l.created_at = k.created_at
  WHERE l.created_at >= $3::timestamptz AND l.created_at < $4::timestamptz
), ${ROLLUPS}
SELECT count(*)::integer AS n FROM ins`;

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

/**
 * The records INSERT_LOGS would store, in their order: those of projects that exist (`rooms`' keys), and of a
 * project with a STOP_INSERTING limit (its room: how many more rows it may store) the earliest `room` by
 * (`createdAt`, `id`) text, as INSERT_LOGS's `row_number()` orders them (the router's ISO 8601 UTC times and
 * lowercase UUIDs order alike in every collation). A project id that is not a lowercase UUID, which INSERT_LOGS would
 * cast, throws NotCopyable.
 */
export function recordsWithinLimits(records: CopiedRecord[], rooms: ReadonlyMap<string, number | null>): CopiedRecord[] {
  const capped = new Map<string, CopiedRecord[]>();
  for (const r of records) {
    if (!isUuid(r.projectId) || r.projectId !== r.projectId.toLowerCase()) throw new NotCopyable(`project id ${r.projectId}`);
    if (rooms.get(r.projectId) == null) continue;
    const list = capped.get(r.projectId);
    if (list) list.push(r);
    else capped.set(r.projectId, [r]);
  }
  const refused = new Set<CopiedRecord>();
  for (const [project, list] of capped) {
    // (createdAt, id) in code-unit order: NUL, below every character, ends the first part.
    const key = (r: CopiedRecord) => `${r.createdAt}\u0000${r.id}`;
    const ordered = list.map((r) => ({ r, k: key(r) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.r);
    for (const r of ordered.slice(Math.max(0, rooms.get(project)!))) refused.add(r);
  }
  return records.filter((r) => rooms.has(r.projectId) && !refused.has(r));
}

/** How many records each project has, by ascending project id (COUNT_INSERTED's order). */
function countByProject(records: CopiedRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.projectId, (counts.get(r.projectId) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Request logs and their bodies. Every finder takes the project id first; the batch insert is scoped by each record's project. */
export class RequestLogsRepository {
  /** Batches stored since start, by the way they took: COPY, or INSERT_LOGS (COPY could not store them as it would). */
  readonly batches = { copied: 0, byStatement: 0 };

  constructor(private readonly ds: DataSource) {}

  private get logs() {
    return this.ds.getRepository(RequestLogEntity);
  }

  /**
   * Stores a JSON array of RequestLogRecords (what the log stream holds; a Buffer: jsonbArrayParam). Returns the number
   * of records newly stored (duplicates and records of deleted projects are not).
   *
   * The batch is transcoded here into COPY rows (`copyBatch`) and stored by COPY (`insertCopied`): PostgreSQL then reads
   * each value by its column's input function instead of building a jsonb tree of the whole batch first (about 30 %
   * less of its CPU per record).
   * A batch COPY cannot store exactly as INSERT_LOGS would (a record already stored, whose key COPY refuses; a day
   * without a partition yet; a value it would read differently; any other error) takes INSERT_LOGS in a new
   * transaction, which stores what is new, idempotently, and creates missing partitions.
   */
  async insertJson(recordsJson: JsonbParam): Promise<number> {
    try {
      const stored = await this.insertCopied(copyBatch(recordsJson));
      this.batches.copied += 1;
      return stored;
    } catch {
      // NotCopyable, a batch the transcoder could not read, or COPY refused it: INSERT_LOGS stores the batch, or fails as the batch deserves.
    }
    const stored = await this.insertByStatement(recordsJson);
    this.batches.byStatement += 1;
    return stored;
  }

  /** INSERT_LOGS; a record whose day has no partition yet makes the partitions of the batch's days be created, then the batch is retried. */
  private async insertByStatement(recordsJson: JsonbParam): Promise<number> {
    try {
      return await this.insertOnce(recordsJson);
    } catch (err) {
      if (!isMissingPartition(err)) throw err;
      const days = ((await this.ds.query(BATCH_DAYS, [recordsJson])) as { day: string }[]).map((r) => r.day);
      await this.ensurePartitions(days);
      return this.insertOnce(recordsJson);
    }
  }

  /**
   * One transaction: lock the capped projects' counters, insert, raise the counters, then trim DELETE_OLDEST projects
   * over their limit (in bounded statements).
   */
  private insertOnce(recordsJson: JsonbParam): Promise<number> {
    return this.ds.transaction(async (tx) => {
      await tx.query(LOCK_COUNTS, [projectIdsOf(recordsJson)]);
      const [row] = await preparedQuery<{ projects: string[]; counts: string[] }>(tx.queryRunner!, 'request_logs_insert', INSERT_LOGS, [recordsJson]);
      if (!row?.projects.length) return 0;
      return this.countInserted(tx, row.projects, row.counts.map(Number));
    });
  }

  /**
   * The COPY path, one transaction in the same lock order as insertOnce: lock the capped projects' counters, drop the
   * records of projects that do not exist and those past a STOP_INSERTING limit (`recordsWithinLimits`), COPY the rows
   * and their bodies, raise the rollups over the rows read back, then the counters (and trim DELETE_OLDEST projects).
   */
  private insertCopied(batch: CopyBatch): Promise<number> {
    return this.ds.transaction(async (tx) => {
      const projectIds = [...new Set(batch.records.map((r) => r.projectId))].sort();
      const projects = (await tx.query(LOCK_COUNTS, [projectIds])) as { id: string; room: number | null }[];
      const kept = recordsWithinLimits(batch.records, new Map(projects.map((p) => [p.id, p.room])));
      if (!kept.length) return 0;
      const rows = keptRows(batch, kept);
      const client = (await tx.queryRunner!.connect()) as CopyClient;
      await copyRows(client, 'request_logs', LOG_COPY_COLUMNS, rows.logs);
      if (rows.bodies.length) await copyRows(client, 'request_log_bodies', BODY_COPY_COLUMNS, rows.bodies);
      let [lo, hi] = [Infinity, -Infinity];
      for (const r of kept) {
        const t = Date.parse(r.createdAt);
        [lo, hi] = [Math.min(lo, t), Math.max(hi, t)];
      }
      const keys = [kept.map((r) => r.id), kept.map((r) => r.createdAt), new Date(lo), new Date(hi + 1)];
      const [rolled] = await preparedQuery<{ n: number }>(tx.queryRunner!, 'request_logs_rollup_copied', ROLLUP_COPIED, keys);
      if (rolled?.n !== kept.length) throw new Error(`the rollups read back ${rolled?.n} of ${kept.length} copied rows`);
      const counts = countByProject(kept);
      return this.countInserted(tx, [...counts.keys()], [...counts.values()]);
    });
  }

  /**
   * Raises the counters of `projects` (ascending ids) by `counts` (COUNT_INSERTED) and trims the DELETE_OLDEST ones now
   * over their limit; returns the rows inserted in all.
   */
  private async countInserted(tx: EntityManager, projects: string[], counts: number[]): Promise<number> {
    const over = (await tx.query(COUNT_INSERTED, [projects, counts])) as { projectId: string; excess: number }[];
    for (const { projectId, excess } of over) {
      for (let left = excess; left > 0; left -= DELETE_BATCH) {
        const [{ n }] = (await tx.query(DELETE_OLDEST, [projectId, Math.min(left, DELETE_BATCH)])) as [{ n: number }];
        if (n === 0) break;
      }
    }
    return counts.reduce((sum, n) => sum + n, 0);
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
