import { logStreamKeys, type RequestLogRecord } from '@switchyard/metering';
import type { Redis } from 'ioredis';

/** Every record on the log stream under `prefix` so far (read directly: the collector's writer is not running). */
export async function logRecords(redis: Redis, prefix: string): Promise<RequestLogRecord[]> {
  const entries = await redis.xrange(logStreamKeys(prefix).stream, '-', '+');
  return entries.flatMap(([, fields]) => JSON.parse(fields[1]!) as RequestLogRecord[]);
}

/** The records with this log id, once one has arrived (appends are off the request path; waits up to 5 s, then returns none). */
export async function logRecordsWithId(redis: Redis, prefix: string, id: string): Promise<RequestLogRecord[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = (await logRecords(redis, prefix)).filter((r) => r.id === id);
    if (found.length || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The one record of log id `id` (a response's `x-gateway-log-id`): there is an id, and exactly one record has it. */
export async function logRecordOf(redis: Redis, prefix: string, id: string | null): Promise<RequestLogRecord> {
  expect(id).toBeTruthy();
  const found = await logRecordsWithId(redis, prefix, id!);
  expect(found).toHaveLength(1);
  return found[0]!;
}
