import type { DataSource } from 'typeorm';
import { newId } from '@switchyard/types';
import type { LogFilter } from './log-filters';
import { firstRow, pagedList } from './paged-list';

/** A dataset: a saved, named log filter of a project (its logs are those matching it when asked). */
export interface LogDatasetRow {
  id: string;
  name: string;
  enable: boolean;
  filters: LogFilter[];
  created_at: Date;
  modified_at: Date;
}

export interface LogDatasetFields {
  name: string;
  enable: boolean;
  filters: LogFilter[];
}

/** A listing: exact `name`, `enable`, a case-insensitive `search` in id, name and filters; newest first. */
export interface LogDatasetListQuery {
  name?: string;
  enable?: boolean;
  search?: string;
  limit: number;
  offset: number;
}

const COLUMNS = 'id, name, enable, filters, created_at, modified_at';

/** A project's datasets; every method takes the project id first. */
export class LogDatasetsRepository {
  constructor(private readonly ds: DataSource) {}

  list(projectId: string, q: LogDatasetListQuery): Promise<{ rows: LogDatasetRow[]; total: number }> {
    return pagedList(this.ds, projectId, {
      table: 'log_datasets', columns: COLUMNS, equal: { name: q.name, enable: q.enable },
      searchIn: ['id::text', 'name', 'filters::text'], search: q.search, limit: q.limit, offset: q.offset,
    });
  }

  get(projectId: string, id: string): Promise<LogDatasetRow | null> {
    return firstRow(this.ds, `SELECT ${COLUMNS} FROM log_datasets WHERE project_id = $1 AND id = $2`, [projectId, id]);
  }

  /** The datasets of `ids` that the project has (in no particular order). */
  findMany(projectId: string, ids: string[]): Promise<LogDatasetRow[]> {
    return this.ds.query(`SELECT ${COLUMNS} FROM log_datasets WHERE project_id = $1 AND id = ANY($2::uuid[])`, [projectId, ids]);
  }

  async create(projectId: string, f: LogDatasetFields): Promise<LogDatasetRow> {
    const sql = `INSERT INTO log_datasets (id, project_id, name, enable, filters) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING ${COLUMNS}`;
    return (await firstRow<LogDatasetRow>(this.ds, sql, [newId(), projectId, f.name, f.enable, JSON.stringify(f.filters)]))!;
  }

  /** Replaces name, enable and filters; null when the project has no such dataset. */
  update(projectId: string, id: string, f: LogDatasetFields): Promise<LogDatasetRow | null> {
    return firstRow(
      this.ds,
      `UPDATE log_datasets SET name = $3, enable = $4, filters = $5::jsonb, modified_at = now() WHERE project_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [projectId, id, f.name, f.enable, JSON.stringify(f.filters)],
    );
  }

  /** Deletes a dataset and returns it as it was; null when the project has no such dataset. */
  delete(projectId: string, id: string): Promise<LogDatasetRow | null> {
    return firstRow(this.ds, `DELETE FROM log_datasets WHERE project_id = $1 AND id = $2 RETURNING ${COLUMNS}`, [projectId, id]);
  }
}
