import type { BudgetDuration } from '@switchyard/types';

/** A time window [startMs, endMs). */
export interface TimeWindow {
  startMs: number;
  endMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 1970-01-05T00:00:00Z: weeks are aligned to UTC Mondays (ISO weeks). */
const FIRST_MONDAY = 4 * DAY;

/** The window of length `lengthMs` holding `nowMs`, windows starting at `anchorMs` + k * length. */
export function anchoredWindow(nowMs: number, lengthMs: number, anchorMs = 0): TimeWindow {
  const startMs = anchorMs + Math.floor((nowMs - anchorMs) / lengthMs) * lengthMs;
  return { startMs, endMs: startMs + lengthMs };
}

/**
 * A clock-aligned window of `lengthMs` (Cloudflare's `fixed` rate limiting, calendar-aligned spend rules): in UTC,
 * aligned to the epoch, and to Mondays when the length is a whole number of weeks.
 */
export function alignedWindow(nowMs: number, lengthMs: number): TimeWindow {
  return anchoredWindow(nowMs, lengthMs, lengthMs % (7 * DAY) === 0 ? FIRST_MONDAY : 0);
}

/** The calendar month (UTC) holding `nowMs`. */
export function monthWindow(nowMs: number): TimeWindow {
  const d = new Date(nowMs);
  return { startMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), endMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

/** The calendar year (UTC) holding `nowMs`. */
export function yearWindow(nowMs: number): TimeWindow {
  const y = new Date(nowMs).getUTCFullYear();
  return { startMs: Date.UTC(y, 0, 1), endMs: Date.UTC(y + 1, 0, 1) };
}

/** A budget period: a key's `budget_duration`, or a customer's (Keywords AI `budget_duration`) as mapped onto it, or a year. */
export type BudgetPeriod = BudgetDuration | '1y';

const PERIOD_MS: Record<Exclude<BudgetPeriod, '1mo' | '1y'>, number> = { '1h': HOUR, '1d': DAY, '7d': 7 * DAY, '30d': 30 * DAY };

/** The window of a budget period holding `nowMs`, clock-aligned in UTC: hours, days, Monday weeks, epoch-aligned 30 days, calendar months and years. */
export function budgetWindow(period: BudgetPeriod, nowMs: number): TimeWindow {
  if (period === '1mo') return monthWindow(nowMs);
  if (period === '1y') return yearWindow(nowMs);
  return alignedWindow(nowMs, PERIOD_MS[period]);
}

/** A lifetime budget's "window": from the epoch to far ahead (its counter does not expire). */
export const FOREVER: TimeWindow = { startMs: 0, endMs: Number.MAX_SAFE_INTEGER };
