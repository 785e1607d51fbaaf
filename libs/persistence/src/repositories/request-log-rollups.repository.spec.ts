import { rollupRanges, rollupSource } from './request-log-rollups.repository';

const at = (iso: string) => new Date(iso);

describe('rollupRanges', () => {
  it('reads whole hours from the hourly rows and the partial hours at both ends from the minute rows', () => {
    expect(rollupRanges({ interval: 'day', groupBy: 'model', from: at('2026-11-01T10:17:00Z'), to: at('2026-11-30T08:23:30Z') })).toEqual({
      minutes: [[at('2026-11-01T10:17:00Z'), at('2026-11-01T11:00:00Z')], [at('2026-11-30T08:00:00Z'), at('2026-11-30T08:23:30Z')]],
      hours: [[at('2026-11-01T11:00:00Z'), at('2026-11-30T08:00:00Z')]],
      days: null,
    });
  });

  it('needs no minute rows for a range on whole hours', () => {
    expect(rollupRanges({ interval: 'hour', groupBy: { metadata: 'team' }, from: at('2026-11-01T00:00:00Z'), to: at('2026-11-02T00:00:00Z') })).toEqual({
      minutes: [], hours: [[at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z')]], days: null,
    });
  });

  it('reads minute rows only for a minute series or a range holding no whole hour', () => {
    const [day0, day1] = [at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z')];
    expect(rollupRanges({ interval: 'minute', from: day0, to: day1 })).toEqual({ minutes: [[day0, day1]], hours: [], days: null });
    const [from, to] = [at('2026-11-01T10:17:00Z'), at('2026-11-01T11:40:00Z')];
    expect(rollupRanges({ interval: 'hour', from, to })).toEqual({ minutes: [[from, to]], hours: [], days: null });
  });

  it('reads hourly rows for an hour series by key or customer, daily rows for the whole days of a day series', () => {
    const [day0, day1] = [at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z')];
    for (const groupBy of ['key', 'customer'] as const) {
      expect(rollupRanges({ interval: 'hour', groupBy, from: day0, to: day1 })).toEqual({ minutes: [], hours: [[day0, day1]], days: null });
      expect(rollupRanges({ interval: 'day', groupBy, from: day0, to: day1 })).toEqual({ minutes: [], hours: [], days: [day0, day1] });
    }
  });

  it('reads the partial days at both ends of a key or customer day series from hourly rows, their partial hours from minute rows', () => {
    expect(rollupRanges({ interval: 'day', groupBy: 'customer', from: at('2026-11-01T10:17:00Z'), to: at('2026-11-30T08:23:30Z') })).toEqual({
      minutes: [[at('2026-11-01T10:17:00Z'), at('2026-11-01T11:00:00Z')], [at('2026-11-30T08:00:00Z'), at('2026-11-30T08:23:30Z')]],
      hours: [[at('2026-11-01T11:00:00Z'), at('2026-11-02T00:00:00Z')], [at('2026-11-30T00:00:00Z'), at('2026-11-30T08:00:00Z')]],
      days: [at('2026-11-02T00:00:00Z'), at('2026-11-30T00:00:00Z')],
    });
    // No whole day inside: hours and minutes only.
    const [from, to] = [at('2026-11-01T10:17:00Z'), at('2026-11-02T03:00:00Z')];
    expect(rollupRanges({ interval: 'day', groupBy: 'key', from, to })).toEqual({
      minutes: [[from, at('2026-11-01T11:00:00Z')]], hours: [[at('2026-11-01T11:00:00Z'), to]], days: null,
    });
  });
});

describe('rollupSource', () => {
  const bind = (v: unknown) => `'${String(v)}'`;

  it('reads the key and customer hours from the dimension rollups, their minutes from the minute rollups', () => {
    expect(rollupSource('key', 'hour', bind)).toEqual({ table: 'request_log_dimension_hourly_rollups', group: "NULLIF(value, '')", where: " AND dimension = 'key_id'" });
    expect(rollupSource('customer', 'hour', bind)).toEqual({
      table: 'request_log_dimension_hourly_rollups', group: "NULLIF(value, '')", where: " AND dimension = 'customer_identifier'",
    });
    expect(rollupSource('customer', 'minute', bind)).toEqual({ table: 'request_log_rollups', group: "NULLIF(customer_identifier, '')", where: '' });
    expect(rollupSource('customer', 'day', bind)).toEqual({
      table: 'request_log_dimension_daily_rollups', group: "NULLIF(value, '')", where: " AND dimension = 'customer_identifier'",
    });
  });

  it('has no daily rows for the other groupings', () => {
    expect(() => rollupSource('model', 'day', bind)).toThrow('daily rollups are kept for the key and customer groupings only');
  });

  it('reads model, provider and no grouping from the model/provider rollups, a metadata key from the metadata rollups', () => {
    expect(rollupSource('model', 'hour', bind)).toEqual({ table: 'request_log_hourly_rollups', group: "NULLIF(model, '')", where: '' });
    expect(rollupSource(undefined, 'minute', bind)).toEqual({ table: 'request_log_rollups', group: 'NULL::text', where: '' });
    expect(rollupSource({ metadata: 'team' }, 'hour', bind)).toEqual({ table: 'request_log_metadata_hourly_rollups', group: 'value', where: " AND key = 'team'" });
  });
});
