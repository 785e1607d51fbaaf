import type { DataSource } from 'typeorm';
import type { JsonbParam } from './jsonb-param';
import { preparedQuery } from './prepared-statement';
import type { SpanAttributes, SpanEvent, SpanLink, SpanScope } from '../entities/span-columns';

/**
 * A span as the collector queues and stores it: snake_case keys equal to the `spans` columns, so a
 * queued batch goes to PostgreSQL as one JSON document without being parsed again. Nanosecond
 * times are decimal strings (they exceed 2^53).
 */
export interface SpanRecord {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  name: string;
  kind: number;
  service_name: string | null;
  start_ns: string;
  end_ns: string;
  status_code: number;
  status_message: string | null;
  attributes: SpanAttributes;
  resource: SpanAttributes;
  scope: SpanScope | null;
  events: SpanEvent[];
  links: SpanLink[];
  trace_state: string | null;
  flags: number | null;
  gen_ai_model: string | null;
  gen_ai_provider: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
}

export interface SpanRow extends SpanRecord {
  duration_ns: string;
}

export interface TraceSummaryRow {
  trace_id: string;
  start_ns: string;
  end_ns: string;
  span_count: number;
  error_count: number;
  input_tokens: string | null;
  output_tokens: string | null;
  cost: string | null;
  root_name: string | null;
  root_service: string | null;
  service: string | null;
}

export interface TraceQuery {
  service?: string;
  name?: string;
  status?: 'ok' | 'error';
  fromNs?: string;
  toNs?: string;
  minDurationNs?: string;
  attributes?: [string, string][];
  after?: { startNs: string; traceId: string };
  limit: number;
}

const RECORD_COLUMNS = `trace_id text, span_id text, parent_span_id text, name text, kind smallint, service_name text,
  start_ns bigint, end_ns bigint, status_code smallint, status_message text, attributes jsonb, resource jsonb, scope jsonb,
  events jsonb, links jsonb, trace_state text, flags integer, gen_ai_model text, gen_ai_provider text,
  input_tokens bigint, output_tokens bigint, cost numeric`;

/**
 * Inserts spans idempotently and folds the spans actually inserted (never the duplicates) into the
 * trace summaries, in one statement: a retried batch changes nothing.
 * `spans` and `traces` have no foreign key to `projects` (a per-row FK check was ~15% of the
 * statement): instead the project row is key-share locked once per statement, exactly what the FK
 * check would do, and a batch for a project that no longer exists inserts nothing.
 */
const INSERT_SPANS = `
WITH p AS (
  SELECT id FROM projects WHERE id = $1 FOR KEY SHARE
), x AS (
  SELECT r.* FROM p, jsonb_to_recordset($2::jsonb) AS r(${RECORD_COLUMNS})
), ins AS (
  INSERT INTO spans (project_id, trace_id, span_id, parent_span_id, name, kind, service_name, start_ns, end_ns, duration_ns,
    status_code, status_message, attributes, resource, scope, events, links, trace_state, flags,
    gen_ai_model, gen_ai_provider, input_tokens, output_tokens, cost)
  SELECT $1, trace_id, span_id, parent_span_id, name, kind, service_name, start_ns, end_ns, GREATEST(end_ns - start_ns, 0),
    status_code, status_message, attributes, resource, scope, events, links, trace_state, flags,
    gen_ai_model, gen_ai_provider, input_tokens, output_tokens, cost
  FROM x
  ON CONFLICT (project_id, trace_id, span_id) DO NOTHING
  RETURNING trace_id, parent_span_id, name, service_name, start_ns, end_ns, status_code, input_tokens, output_tokens, cost
), agg AS (
  SELECT trace_id, min(start_ns) AS start_ns, max(end_ns) AS end_ns, count(*) AS span_count,
    count(*) FILTER (WHERE status_code = 2) AS error_count,
    sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(cost) AS cost,
    (array_agg(name ORDER BY start_ns) FILTER (WHERE parent_span_id IS NULL))[1] AS root_name,
    (array_agg(service_name ORDER BY start_ns) FILTER (WHERE parent_span_id IS NULL))[1] AS root_service,
    (array_agg(service_name ORDER BY start_ns) FILTER (WHERE service_name IS NOT NULL))[1] AS service
  FROM ins GROUP BY trace_id
)
INSERT INTO traces AS t (project_id, trace_id, start_ns, end_ns, span_count, error_count, input_tokens, output_tokens, cost,
  root_name, root_service, service)
SELECT $1, trace_id, start_ns, end_ns, span_count, error_count, input_tokens, output_tokens, cost, root_name, root_service, service
FROM agg ORDER BY trace_id
ON CONFLICT (project_id, trace_id) DO UPDATE SET
  start_ns = LEAST(t.start_ns, EXCLUDED.start_ns),
  end_ns = GREATEST(t.end_ns, EXCLUDED.end_ns),
  span_count = t.span_count + EXCLUDED.span_count,
  error_count = t.error_count + EXCLUDED.error_count,
  input_tokens = CASE WHEN EXCLUDED.input_tokens IS NULL THEN t.input_tokens ELSE COALESCE(t.input_tokens, 0) + EXCLUDED.input_tokens END,
  output_tokens = CASE WHEN EXCLUDED.output_tokens IS NULL THEN t.output_tokens ELSE COALESCE(t.output_tokens, 0) + EXCLUDED.output_tokens END,
  cost = CASE WHEN EXCLUDED.cost IS NULL THEN t.cost ELSE COALESCE(t.cost, 0) + EXCLUDED.cost END,
  root_name = COALESCE(EXCLUDED.root_name, t.root_name),
  root_service = COALESCE(EXCLUDED.root_service, t.root_service),
  service = COALESCE(t.service, EXCLUDED.service)`;

const SPAN_COLUMNS = `trace_id, span_id, parent_span_id, name, kind, service_name, start_ns::text, end_ns::text, duration_ns::text,
  status_code, status_message, attributes, resource, scope, events, links, trace_state, flags, gen_ai_model, gen_ai_provider,
  input_tokens::float8 AS input_tokens, output_tokens::float8 AS output_tokens, cost::float8 AS cost`;

/** Spans and trace summaries of one project. Every method takes the project id first. */
export class SpansRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Inserts a batch given as a JSON array of SpanRecords (exactly what the queue holds; a Buffer: jsonbArrayParam).
   * Idempotent on (project, trace_id, span_id).
   */
  async insertJson(projectId: string, recordsJson: JsonbParam): Promise<void> {
    const runner = this.ds.createQueryRunner();
    try {
      await preparedQuery(runner, 'spans_insert', INSERT_SPANS, [projectId, recordsJson]);
    } finally {
      await runner.release();
    }
  }

  async listTraces(projectId: string, q: TraceQuery): Promise<TraceSummaryRow[]> {
    const params: unknown[] = [projectId];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['t.project_id = $1'];
    if (q.fromNs !== undefined) where.push(`t.start_ns >= ${p(q.fromNs)}::bigint`);
    if (q.toNs !== undefined) where.push(`t.start_ns < ${p(q.toNs)}::bigint`);
    if (q.minDurationNs !== undefined) where.push(`t.end_ns - t.start_ns >= ${p(q.minDurationNs)}::bigint`);
    if (q.status === 'error') where.push('t.error_count > 0');
    if (q.status === 'ok') where.push('t.error_count = 0');
    if (q.after) where.push(`(t.start_ns, t.trace_id) < (${p(q.after.startNs)}::bigint, ${p(q.after.traceId)})`);
    const spanWhere: string[] = [];
    if (q.service !== undefined) spanWhere.push(`s.service_name = ${p(q.service)}`);
    if (q.name !== undefined) spanWhere.push(`s.name = ${p(q.name)}`);
    for (const [key, value] of q.attributes ?? []) spanWhere.push(`s.attributes ->> ${p(key)} = ${p(value)}`);
    if (spanWhere.length) {
      // A scalar subquery with LIMIT 1, not EXISTS: PostgreSQL turns EXISTS into a semi join that
      // reads every span of the project (a sequential scan at millions of spans); this form is
      // probed per trace through the primary key, walking traces newest first until the page is full.
      where.push(
        `(SELECT true FROM spans s WHERE s.project_id = t.project_id AND s.trace_id = t.trace_id AND ${spanWhere.join(' AND ')} LIMIT 1)`,
      );
    }
    return this.ds.query(
      `SELECT trace_id, start_ns::text, end_ns::text, span_count, error_count, input_tokens::text, output_tokens::text, cost::text,
         root_name, root_service, service
       FROM traces t WHERE ${where.join(' AND ')}
       ORDER BY t.start_ns DESC, t.trace_id DESC LIMIT ${p(q.limit)}`,
      params,
    );
  }

  traceSpans(projectId: string, traceId: string): Promise<SpanRow[]> {
    return this.ds.query(`SELECT ${SPAN_COLUMNS} FROM spans WHERE project_id = $1 AND trace_id = $2 ORDER BY start_ns, span_id`, [
      projectId,
      traceId,
    ]);
  }

  async countSpans(projectId: string): Promise<number> {
    const rows: { n: string }[] = await this.ds.query(`SELECT count(*)::text AS n FROM spans WHERE project_id = $1`, [projectId]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Deletes spans and summaries that started before `cutoffNs`, in bounded batches; returns spans deleted. */
  async deleteOlderThan(projectId: string, cutoffNs: string, batchSize = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const res: [unknown[], number] = await this.ds.query(
        `DELETE FROM spans WHERE ctid IN (SELECT ctid FROM spans WHERE project_id = $1 AND start_ns < $2::bigint LIMIT $3)`,
        [projectId, cutoffNs, batchSize],
      );
      const n = res[1];
      total += n;
      if (n < batchSize) break;
    }
    await this.ds.query(`DELETE FROM traces WHERE project_id = $1 AND end_ns < $2::bigint`, [projectId, cutoffNs]);
    return total;
  }
}
