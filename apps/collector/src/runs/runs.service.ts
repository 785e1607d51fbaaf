import { Injectable } from '@nestjs/common';
import { RunsRepository, type RunRow } from '@switchyard/persistence';
import { invalidRequest, notFound } from '@switchyard/types';
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../traces/project-scope';

const querySchema = z.object({
  trace_id: z.string().min(1).max(200).optional(),
  type: z.string().min(1).max(100).optional(),
  status: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().optional(),
  project: z.string().optional(),
});

const isCursor = (v: unknown): v is { s: string; i: string } =>
  typeof v === 'object' && v !== null && typeof (v as { s?: unknown }).s === 'string' && typeof (v as { i?: unknown }).i === 'string';

@Injectable()
export class RunsService {
  constructor(private readonly runs: RunsRepository) {}

  async list(projectId: string, raw: Record<string, unknown>) {
    const parsed = querySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalidRequest(`${String(issue.path[0])}: ${issue.message}`, String(issue.path[0]));
    }
    const q = parsed.data;
    const after = decodeCursor(q.cursor, isCursor);
    const rows = await this.runs.list(projectId, {
      traceId: q.trace_id,
      type: q.type,
      status: q.status,
      after: after ? { startTime: after.s, id: after.i } : undefined,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      data: page.map((r) => this.toDto(r)),
      next_cursor: rows.length > q.limit && last ? encodeCursor({ s: last.start_time.toISOString(), i: last.id }) : null,
    };
  }

  async get(projectId: string, id: string) {
    const row = await this.runs.findById(projectId, id);
    if (!row) throw notFound(`Run '${id}' was not found.`, 'run_not_found');
    return this.toDto(row);
  }

  /** The row as selected (exactly the API fields) with its times as ISO-8601. */
  private toDto(r: RunRow) {
    return {
      ...r,
      start_time: r.start_time.toISOString(),
      end_time: r.end_time.toISOString(),
      received_at: r.received_at.toISOString(),
      updated_at: r.updated_at.toISOString(),
    };
  }
}
