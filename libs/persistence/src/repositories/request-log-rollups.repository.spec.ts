import { rollupRanges } from './request-log-rollups.repository';

const at = (iso: string) => new Date(iso);

describe('rollupRanges', () => {
  it('reads whole hours from the hourly rows and the partial hours at both ends from the minute rows', () => {
    expect(rollupRanges({ interval: 'day', groupBy: 'model', from: at('2026-11-01T10:17:00Z'), to: at('2026-11-30T08:23:30Z') })).toEqual({
      minutes: [[at('2026-11-01T10:17:00Z'), at('2026-11-01T11:00:00Z')], [at('2026-11-30T08:00:00Z'), at('2026-11-30T08:23:30Z')]],
      hours: [at('2026-11-01T11:00:00Z'), at('2026-11-30T08:00:00Z')],
    });
  });

  it('needs no minute rows for a range on whole hours', () => {
    expect(rollupRanges({ interval: 'hour', groupBy: { metadata: 'team' }, from: at('2026-11-01T00:00:00Z'), to: at('2026-11-02T00:00:00Z') })).toEqual({ minutes: [], hours: [at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z')] });
  });

  it('reads minute rows only for a minute series, a group the hourly rows lack (key, customer) or a range holding no whole hour', () => {
    const [day0, day1] = [at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z')];
    expect(rollupRanges({ interval: 'minute', from: day0, to: day1 })).toEqual({ minutes: [[day0, day1]], hours: null });
    expect(rollupRanges({ interval: 'day', groupBy: 'customer', from: day0, to: day1 })).toEqual({ minutes: [[day0, day1]], hours: null });
    expect(rollupRanges({ interval: 'day', groupBy: 'key', from: day0, to: day1 })).toEqual({ minutes: [[day0, day1]], hours: null });
    const [from, to] = [at('2026-11-01T10:17:00Z'), at('2026-11-01T11:40:00Z')];
    expect(rollupRanges({ interval: 'hour', from, to })).toEqual({ minutes: [[from, to]], hours: null });
  });
});
