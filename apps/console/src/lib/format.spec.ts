import { formatCost, formatCount, formatDuration, formatPercent } from './format';

describe('cost and number formatting', () => {
  it('shows per-request costs with enough digits and unpriced calls as a dash', () => {
    expect(formatCost(null)).toBe('—');
    expect(formatCost(undefined)).toBe('—');
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(0.000123)).toBe('$0.000123');
    expect(formatCost(0.0000001)).toBe('$<0.000001');
    expect(formatCost(0.0421)).toBe('$0.0421');
    expect(formatCost(1.5)).toBe('$1.50');
    expect(formatCost(1234.5)).toBe('$1,234.50');
    expect(formatCost(-2)).toBe('-$2.00');
    expect(formatCost(Number.NaN)).toBe('—');
  });

  it('formats counts, durations and rates', () => {
    expect(formatCount(1234)).toBe('1,234');
    expect(formatCount(1_250_000)).toBe('1.25M');
    expect(formatCount(2_000_000)).toBe('2M');
    expect(formatCount(null)).toBe('—');
    expect(formatDuration(85.25)).toBe('85.3 ms');
    expect(formatDuration(1250)).toBe('1.25 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatPercent(1, 3)).toBe('33.3%');
    expect(formatPercent(1, 0)).toBe('—');
  });
});
