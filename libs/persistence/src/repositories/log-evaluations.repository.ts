import type { DataSource, EntityManager } from 'typeorm';
import { newId } from '@switchyard/types';
import type { LogDatasetRow } from './log-datasets.repository';
import { logFilterConditions } from './log-filters';
import { firstRow, pagedList } from './paged-list';

/** An evaluation: datasets (as they were when it was created), the evaluation types asked for and, once computed, its results. */
export interface LogEvaluationRow {
  id: string;
  name: string;
  datasets: (Omit<LogDatasetRow, 'created_at' | 'modified_at'> & { created_at: string; modified_at: string })[];
  evaluation_type_ids: string[];
  processed: boolean;
  total_logs: number;
  /** The computed results (their shape is the service's). */
  results: unknown[];
  created_at: Date;
  modified_at: Date;
}

/** What an evaluation's datasets hold together (each log once): counts, cost, duration percentiles, human feedback. */
export interface LogMeasures {
  logs: number;
  priced: number;
  cost: string;
  avg_duration: number | null;
  p50_duration: number | null;
  p95_duration: number | null;
  thumbs_up: number;
  thumbs_down: number;
  scored: number;
  avg_score: number | null;
}

export interface LogEvaluationListQuery {
  name?: string;
  processed?: boolean;
  search?: string;
  limit: number;
  offset: number;
}

const COLUMNS = 'id, name, datasets, evaluation_type_ids, processed, total_logs, results, created_at, modified_at';

/** The logs of any of the datasets (a log in several counts once): each dataset's filters ANDed, the datasets ORed. */
const MEASURE = (union: string) => `
SELECT count(*)::int AS logs, count(l.cost)::int AS priced, COALESCE(sum(l.cost), 0)::text AS cost,
  avg(l.duration_ms)::float8 AS avg_duration,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY l.duration_ms) AS p50_duration,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY l.duration_ms) AS p95_duration,
  count(*) FILTER (WHERE l.feedback = 1)::int AS thumbs_up, count(*) FILTER (WHERE l.feedback = -1)::int AS thumbs_down,
  count(l.score)::int AS scored, avg(l.score)::float8 AS avg_score
FROM request_logs l WHERE l.project_id = $1 AND (${union})`;

/** A project's evaluations; every method takes the project id first. */
export class LogEvaluationsRepository {
  constructor(private readonly ds: DataSource) {}

  list(projectId: string, q: LogEvaluationListQuery): Promise<{ rows: LogEvaluationRow[]; total: number }> {
    return pagedList(this.ds, projectId, {
      table: 'log_evaluations', columns: COLUMNS, equal: { name: q.name, processed: q.processed },
      searchIn: ['id::text', 'name'], search: q.search, limit: q.limit, offset: q.offset,
    });
  }

  get(projectId: string, id: string): Promise<LogEvaluationRow | null> {
    return firstRow(this.ds, `SELECT ${COLUMNS} FROM log_evaluations WHERE project_id = $1 AND id = $2`, [projectId, id]);
  }

  async create(projectId: string, name: string, datasets: LogDatasetRow[], typeIds: string[]): Promise<LogEvaluationRow> {
    const sql = `INSERT INTO log_evaluations (id, project_id, name, datasets, evaluation_type_ids) VALUES ($1, $2, $3, $4::jsonb, $5::text[]) RETURNING ${COLUMNS}`;
    return (await firstRow<LogEvaluationRow>(this.ds, sql, [newId(), projectId, name, JSON.stringify(datasets), typeIds]))!;
  }

  delete(projectId: string, id: string): Promise<LogEvaluationRow | null> {
    return firstRow(this.ds, `DELETE FROM log_evaluations WHERE project_id = $1 AND id = $2 RETURNING ${COLUMNS}`, [projectId, id]);
  }

  /**
   * Computes an evaluation over the project's logs now: locks its row (a replica already computing it holds the
   * lock: `busy`, nothing computed twice), measures its datasets' logs, stores what `results` makes of them.
   * Null when the project has no such evaluation.
   */
  run(projectId: string, id: string, results: (e: LogEvaluationRow, m: LogMeasures) => unknown[]): Promise<LogEvaluationRow | 'busy' | null> {
    return this.ds.transaction(async (tx) => {
      const locked = await firstRow<LogEvaluationRow>(tx, `SELECT ${COLUMNS} FROM log_evaluations WHERE project_id = $1 AND id = $2 FOR UPDATE SKIP LOCKED`, [projectId, id]);
      if (!locked) return (await this.get(projectId, id)) ? 'busy' : null;
      const measures = await this.measure(tx, projectId, locked);
      const sql = `UPDATE log_evaluations SET processed = true, total_logs = $3, results = $4::jsonb, modified_at = now()
        WHERE project_id = $1 AND id = $2 RETURNING ${COLUMNS}`;
      const [rows] = (await tx.query(sql, [projectId, id, measures.logs, JSON.stringify(results(locked, measures))])) as [LogEvaluationRow[], number];
      return rows[0]!;
    });
  }

  private async measure(tx: EntityManager, projectId: string, e: LogEvaluationRow): Promise<LogMeasures> {
    const params: unknown[] = [projectId];
    const bind = (v: unknown) => `$${params.push(v)}`;
    const union = e.datasets.map((d) => `(${['true', ...logFilterConditions(d.filters, bind)].join(' AND ')})`).join(' OR ');
    const [row] = (await tx.query(MEASURE(union || 'false'), params)) as [LogMeasures];
    return row;
  }
}
