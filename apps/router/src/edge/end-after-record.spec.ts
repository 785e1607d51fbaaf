import type { ServerResponse } from 'node:http';
import { endAfterRecord } from './end-after-record';

describe('endAfterRecord', () => {
  it('holds the answer’s end, with its arguments, until the request’s record is written', () => {
    const calls: unknown[][] = [];
    const res = { end: (...args: unknown[]) => calls.push(args) } as unknown as ServerResponse;
    const waiting: (() => void)[] = [];
    endAfterRecord(res, { whenRecorded: (then) => waiting.push(then) });
    expect(res.end('last', 'utf8')).toBe(res);
    expect(calls).toEqual([]);
    waiting.forEach((then) => then());
    expect(calls).toEqual([['last', 'utf8']]);
  });

  it('ends at once when the record is already on its way', () => {
    const calls: unknown[][] = [];
    const res = { end: (...args: unknown[]) => calls.push(args) } as unknown as ServerResponse;
    endAfterRecord(res, { whenRecorded: (then) => then() });
    res.end();
    expect(calls).toEqual([[]]);
  });
});
