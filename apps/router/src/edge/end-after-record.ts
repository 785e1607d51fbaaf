import type { ServerResponse } from 'node:http';
import type { CallLog } from '@switchyard/routing';

/**
 * Holds the answer's end (`res.end`: the last write of a JSON answer, of a stream, of an error answer) until the
 * request's record is written (the appender writes a turn's first record at once, the turn's others together at its
 * end), so the record's XADD still leaves before the client can have the whole answer (docs/logs.md, the appender).
 */
export function endAfterRecord(res: ServerResponse, log: Pick<CallLog, 'whenRecorded'>): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    log.whenRecorded(() => end(...args));
    return res;
  }) as ServerResponse['end'];
}
