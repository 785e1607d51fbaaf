import type { JsonValue } from '@switchyard/types';
import type { DataSource } from 'typeorm';

/** A Dynamiq SDK run as queued and stored (snake_case keys equal to the `runs` columns). */
export interface RunRecord {
  id: string;
  name: string;
  type: string;
  trace_id: string;
  source_id: string;
  session_id: string | null;
  parent_run_id: string | null;
  status: string;
  start_time: string;
  end_time: string;
  input: JsonValue;
  output: JsonValue;
  metadata: JsonValue;
  error: JsonValue;
  tags: JsonValue;
  executions: JsonValue;
  /** Queue position: a newer version wins over an older one whatever order they are written in. */
  version: string;
}

export interface RunRow extends Omit<RunRecord, 'version' | 'start_time' | 'end_time'> {
  start_time: Date;
  end_time: Date;
  received_at: Date;
  updated_at: Date;
}

export interface RunQuery {
  traceId?: string;
  type?: string;
  status?: string;
  after?: { startTime: string; id: string };
  limit: number;
}

const UPSERT_RUNS = `
INSERT INTO runs AS r (project_id, id, name, type, trace_id, source_id, session_id, parent_run_id, status, start_time, end_time,
  input, output, metadata, error, tags, executions, version)
SELECT DISTINCT ON (id) $1, id, name, type, trace_id, source_id, session_id, parent_run_id, status, start_time, end_time,
  input, output, metadata, error, tags, executions, version
FROM jsonb_to_recordset($2::jsonb) AS x(id text, name text, type text, trace_id text, source_id text, session_id text,
  parent_run_id text, status text, start_time timestamptz, end_time timestamptz, input jsonb, output jsonb, metadata jsonb,
  error jsonb, tags jsonb, executions jsonb, version bigint)
ORDER BY id, version DESC
ON CONFLICT (project_id, id) DO UPDATE SET
  name = EXCLUDED.name, type = EXCLUDED.type, trace_id = EXCLUDED.trace_id, source_id = EXCLUDED.source_id,
  session_id = EXCLUDED.session_id, parent_run_id = EXCLUDED.parent_run_id, status = EXCLUDED.status,
  start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time, input = EXCLUDED.input, output = EXCLUDED.output,
  metadata = EXCLUDED.metadata, error = EXCLUDED.error, tags = EXCLUDED.tags, executions = EXCLUDED.executions,
  version = EXCLUDED.version, updated_at = now()
WHERE r.version <= EXCLUDED.version`;

/** Exactly the fields of the runs API (RunsService returns rows as selected, times made ISO-8601). */
const RUN_COLUMNS = `id, name, type, trace_id, source_id, session_id, parent_run_id, status, start_time, end_time, input, output,
  metadata, error, tags, executions, received_at, updated_at`;

/** Dynamiq runs of one project. Every method takes the project id first. */
export class RunsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Upserts a batch given as a JSON array text of RunRecords; the highest version of a run wins. */
  async upsertJson(projectId: string, recordsJson: string): Promise<void> {
    await this.ds.query(UPSERT_RUNS, [projectId, recordsJson]);
  }

  list(projectId: string, q: RunQuery): Promise<RunRow[]> {
    const params: unknown[] = [projectId];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['project_id = $1'];
    if (q.traceId !== undefined) where.push(`trace_id = ${p(q.traceId)}`);
    if (q.type !== undefined) where.push(`type = ${p(q.type)}`);
    if (q.status !== undefined) where.push(`status = ${p(q.status)}`);
    if (q.after) where.push(`(start_time, id) < (${p(q.after.startTime)}::timestamptz, ${p(q.after.id)})`);
    return this.ds.query(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE ${where.join(' AND ')} ORDER BY start_time DESC, id DESC LIMIT ${p(q.limit)}`,
      params,
    );
  }

  async findById(projectId: string, id: string): Promise<RunRow | null> {
    const rows: RunRow[] = await this.ds.query(`SELECT ${RUN_COLUMNS} FROM runs WHERE project_id = $1 AND id = $2`, [projectId, id]);
    return rows[0] ?? null;
  }

  async deleteOlderThan(projectId: string, cutoff: Date): Promise<number> {
    const res: [unknown[], number] = await this.ds.query(`DELETE FROM runs WHERE project_id = $1 AND start_time < $2`, [projectId, cutoff]);
    return res[1];
  }
}
