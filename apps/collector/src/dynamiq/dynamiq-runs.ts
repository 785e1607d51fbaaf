import type { RunRecord } from '@switchyard/persistence';
import type { JsonValue } from '@switchyard/types';
import { z } from 'zod';

/**
 * The Dynamiq SDK tracing body `{"runs":[…]}`. The fields the Dynamiq collector validates are
 * required; the rest is stored as received. ids are UUIDs serialized as strings by the SDK.
 */
const time = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be an ISO-8601 date-time' });
const idString = z.union([z.string().min(1).max(200), z.number()]).transform(String);
const optionalId = z.union([z.string().max(200), z.number()]).nullish().transform((v) => (v === null || v === undefined || v === '' ? null : String(v)));

export const runSchema = z.looseObject({
  id: idString,
  name: z.string().min(1).max(1000),
  type: z.string().min(1).max(100),
  trace_id: idString,
  source_id: idString,
  session_id: optionalId,
  parent_run_id: optionalId,
  start_time: time,
  end_time: time,
  status: z.string().min(1).max(100),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  metadata: z.unknown().optional(),
  error: z.unknown().optional(),
  tags: z.unknown().optional(),
  executions: z.unknown().optional(),
});

export const runsBodySchema = z.object({ runs: z.array(runSchema).max(10_000) });

export function isDynamiqBody(body: unknown): body is { runs: unknown } {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'runs' in body && !('resourceSpans' in body) && !('resource_spans' in body);
}

/** A field of a parsed JSON body (so a JSON value), absent as null. */
const orNull = (v: unknown): JsonValue => (v === undefined ? null : (v as JsonValue));

/** Validated runs as queue records (version 0: the writer stamps the queue position). */
export function toRunRecords(body: z.infer<typeof runsBodySchema>): RunRecord[] {
  return body.runs.map((r) => ({
    id: r.id,
    name: r.name,
    type: r.type,
    trace_id: r.trace_id,
    source_id: r.source_id,
    session_id: r.session_id,
    parent_run_id: r.parent_run_id,
    status: r.status,
    start_time: new Date(r.start_time).toISOString(),
    end_time: new Date(r.end_time).toISOString(),
    input: orNull(r.input),
    output: orNull(r.output),
    metadata: orNull(r.metadata),
    error: orNull(r.error),
    tags: orNull(r.tags),
    executions: orNull(r.executions),
    version: '0',
  }));
}
