import { logStreamKeys, type RequestLogRecord } from '@switchyard/metering';
import type { Redis } from 'ioredis';

/** The request log record `id` once the router has appended it to the log stream under `prefix` (waits up to 5 s). */
export async function logRecordOf(redis: Redis, prefix: string, id: string | null): Promise<RequestLogRecord> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const entries = await redis.xrange(logStreamKeys(prefix).stream, '-', '+');
    const found = entries.flatMap(([, f]) => JSON.parse(f[1]!) as RequestLogRecord[]).find((r) => r.id === id);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no record ${id}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
