import { format, formatDistanceToNowStrict } from 'date-fns';

/** USD with enough precision for per-request costs: $0.000123, $1.23, $1,234.50; `null` (unpriced) as "—". */
export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '—';
  if (usd === 0) return '$0';
  const abs = Math.abs(usd);
  const digits = abs >= 1 ? 2 : abs >= 0.01 ? 4 : 6;
  const s = abs.toLocaleString('en-US', { minimumFractionDigits: abs >= 1 ? 2 : 0, maximumFractionDigits: digits });
  return `${usd < 0 ? '-' : ''}$${s === '0' ? `<0.000001` : s}`;
}

/** 1234 -> "1,234"; 1_250_000 -> "1.25M". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (Math.abs(n) >= 1_000_000) return `${(n / 1_000_000).toFixed(2).replace(/\.?0+$/, '')}M`;
  return n.toLocaleString('en-US');
}

/** Milliseconds: "850 ms", "1.25 s", "2 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatPercent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '—';
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? format(new Date(iso), 'yyyy-MM-dd HH:mm:ss') : '—';
}

export function formatAgo(iso: string | null | undefined): string {
  return iso ? `${formatDistanceToNowStrict(new Date(iso))} ago` : '—';
}
