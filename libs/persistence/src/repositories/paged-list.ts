import type { DataSource } from 'typeorm';
import { likePattern } from './log-filters';

/** A page of a project's rows of `table`, newest first: columns equal to `equal` values, `search` (ILIKE) in any of `searchIn`. */
export interface PagedListQuery {
  table: string;
  columns: string;
  equal: Record<string, unknown>;
  searchIn: string[];
  search?: string;
  limit: number;
  offset: number;
}

/** The page and the total count of matching rows (two statements, the same conditions). Column names come from code, never input. */
export async function pagedList<T>(ds: DataSource, projectId: string, q: PagedListQuery): Promise<{ rows: T[]; total: number }> {
  const params: unknown[] = [projectId];
  const bind = (v: unknown) => `$${params.push(v)}`;
  const where = ['project_id = $1'];
  for (const [column, value] of Object.entries(q.equal)) if (value !== undefined) where.push(`${column} = ${bind(value)}`);
  if (q.search !== undefined) {
    const s = bind(likePattern(q.search));
    where.push(`(${q.searchIn.map((c) => `${c} ILIKE ${s}`).join(' OR ')})`);
  }
  const filter = `FROM ${q.table} WHERE ${where.join(' AND ')}`;
  const countParams = [...params];
  const [rows, [count]] = await Promise.all([
    ds.query(`SELECT ${q.columns} ${filter} ORDER BY created_at DESC, id DESC LIMIT ${bind(q.limit)} OFFSET ${bind(q.offset)}`, params) as Promise<T[]>,
    ds.query(`SELECT count(*)::int AS n ${filter}`, countParams) as Promise<[{ n: number }]>,
  ]);
  return { rows, total: count.n };
}

/** The first row of a query's answer (UPDATE/DELETE … RETURNING answer [rows, affected]; SELECT and INSERT answer the rows). */
export async function firstRow<T>(ds: Pick<DataSource, 'query'>, sql: string, params: unknown[]): Promise<T | null> {
  const result = (await ds.query(sql, params)) as T[] | [T[], number];
  const rows = Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
  return rows[0] ?? null;
}
