import { alignedWindow, budgetWindow, monthWindow } from './windows';

const at = (iso: string) => Date.parse(iso);

describe('budget and rate windows (UTC)', () => {
  it('aligns fixed windows to the clock', () => {
    expect(alignedWindow(at('2026-03-04T12:09:30Z'), 600_000)).toEqual({ startMs: at('2026-03-04T12:00:00Z'), endMs: at('2026-03-04T12:10:00Z') });
    expect(alignedWindow(at('2026-03-04T12:11:00Z'), 600_000).startMs).toBe(at('2026-03-04T12:10:00Z'));
  });

  it('aligns each budget duration in UTC', () => {
    const now = at('2026-03-04T13:45:10Z'); // a Wednesday
    expect(budgetWindow('1h', now)).toEqual({ startMs: at('2026-03-04T13:00:00Z'), endMs: at('2026-03-04T14:00:00Z') });
    expect(budgetWindow('1d', now)).toEqual({ startMs: at('2026-03-04T00:00:00Z'), endMs: at('2026-03-05T00:00:00Z') });
    expect(budgetWindow('7d', now)).toEqual({ startMs: at('2026-03-02T00:00:00Z'), endMs: at('2026-03-09T00:00:00Z') });
    const thirty = budgetWindow('30d', now);
    expect(thirty.endMs - thirty.startMs).toBe(30 * 86_400_000);
    expect(thirty.startMs % 86_400_000).toBe(0);
    expect(thirty.startMs <= now && now < thirty.endMs).toBe(true);
    expect(budgetWindow('1mo', now)).toEqual({ startMs: at('2026-03-01T00:00:00Z'), endMs: at('2026-04-01T00:00:00Z') });
    expect(budgetWindow('1y', now)).toEqual({ startMs: at('2026-01-01T00:00:00Z'), endMs: at('2027-01-01T00:00:00Z') });
  });

  it('rolls calendar months over year ends', () => {
    expect(monthWindow(at('2026-12-31T23:59:59Z'))).toEqual({ startMs: at('2026-12-01T00:00:00Z'), endMs: at('2027-01-01T00:00:00Z') });
  });
});
