import { hashUnit, orderGroup, type BalanceGroup } from './load-balance';
import { TargetHealth } from './target-health';

const group = (strategy: BalanceGroup['strategy'], weights: number[]): BalanceGroup => ({
  id: null,
  strategy,
  stickyKey: 'customer_identifier',
  members: weights.map((weight, i) => ({ model: `m${i}`, weight })),
});

describe('orderGroup', () => {
  it('lands 10,000 weighted draws over a 70/20/10 group within 2 points of each weight', () => {
    const g = group('weighted', [70, 20, 10]);
    const counts = [0, 0, 0];
    for (let i = 0; i < 10_000; i++) counts[Number(orderGroup(g, { random: Math.random })[0]!.model.slice(1))]! += 1;
    expect(Math.abs(counts[0]! / 100 - 70)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts[1]! / 100 - 20)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts[2]! / 100 - 10)).toBeLessThanOrEqual(2);
  });

  it('puts the pick first and the others after it, heaviest first; weight 0 is a fallback only', () => {
    const g = group('weighted', [0, 1, 3]);
    for (const u of [0, 0.2, 0.5, 0.99]) {
      const order = orderGroup(g, { random: () => u }).map((m) => m.model);
      expect(order[0]).not.toBe('m0');
      expect(order).toHaveLength(3);
      expect(order[2]).toBe('m0');
    }
    expect(orderGroup(g, { random: () => 0.1 }).map((m) => m.model)).toEqual(['m1', 'm2', 'm0']);
    expect(orderGroup(g, { random: () => 0.9 }).map((m) => m.model)).toEqual(['m2', 'm1', 'm0']);
  });

  it('keeps each of 100 users on one member (sticky), and spreads the users by weight', () => {
    const g = group('sticky', [50, 50]);
    const firstOf = new Map<string, string>();
    for (let round = 0; round < 5; round++) {
      for (let u = 0; u < 100; u++) {
        const model = orderGroup(g, { random: Math.random, stickyValue: `user-${u}` })[0]!.model;
        if (round === 0) firstOf.set(`user-${u}`, model);
        else expect(model).toBe(firstOf.get(`user-${u}`));
      }
    }
    const onFirst = [...firstOf.values()].filter((m) => m === 'm0').length;
    expect(onFirst).toBeGreaterThan(25);
    expect(onFirst).toBeLessThan(75);
  });

  it('draws at random when the sticky key is absent', () => {
    const g = group('sticky', [1, 1]);
    expect(orderGroup(g, { random: () => 0.1, stickyValue: null })[0]!.model).toBe('m0');
    expect(orderGroup(g, { random: () => 0.9, stickyValue: null })[0]!.model).toBe('m1');
  });

  it('least-latency: of two drawn members the lower score wins; unknown members are explored', () => {
    const g = group('least-latency', [1, 1]);
    const draws = [0.1, 0.9];
    let n = 0;
    const random = () => draws[n++ % 2]!;
    expect(orderGroup(g, { random, score: (m) => (m.model === 'm0' ? 900 : 100) })[0]!.model).toBe('m1');
    expect(orderGroup(g, { random, score: (m) => (m.model === 'm0' ? 100 : 900) })[0]!.model).toBe('m0');
    expect(orderGroup(g, { random, score: (m) => (m.model === 'm0' ? 100 : undefined) })[0]!.model).toBe('m1');
  });

  it('hashes to [0, 1) and spreads short keys', () => {
    const values = Array.from({ length: 1000 }, (_, i) => hashUnit(`u${i}`));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(values.filter((v) => v < 0.5).length).toBeGreaterThan(400);
    expect(values.filter((v) => v < 0.5).length).toBeLessThan(600);
  });
});

describe('TargetHealth without Redis', () => {
  const breaker = { failure_threshold: 3, window_seconds: 60, error_ratio: 0.5, min_requests: 10, open_seconds: 5 };

  it('moves least-latency traffic off a target that slows down, within 200 requests', () => {
    const health = new TargetHealth({ channel: null, redis: null, prefix: 't', replicaId: 'r1' });
    const g = group('least-latency', [1, 1]);
    const latency: Record<string, number> = { m0: 50, m1: 50 };
    const served = (from: number, to: number, into: Record<string, number>) => {
      for (let i = from; i < to; i++) {
        if (i === 100) latency['m0'] = 500; // the mock of m0 slows down
        const pick = orderGroup(g, { random: Math.random, score: (m) => health.score(m.model) })[0]!.model;
        health.report(pick, true, latency[pick]!, null, false);
        into[pick] = (into[pick] ?? 0) + 1;
      }
    };
    served(0, 100, {});
    const after: Record<string, number> = {};
    served(100, 300, {});
    served(300, 400, after);
    // Once m0's average has risen, every pair that holds m1 picks m1: m0 only wins a draw of itself twice.
    expect(after['m1'] ?? 0).toBeGreaterThanOrEqual(90);
  });

  it('opens after N failures, skips while open, lets one probe through, closes on its success', async () => {
    let now = 1_000;
    const health = new TargetHealth({ channel: null, redis: null, prefix: 't', replicaId: 'r1', now: () => now });
    for (let i = 0; i < 3; i++) health.report('c:m', false, 10, breaker, false);
    await health.flush();
    expect(health.admit('c:m')).toBe('open');
    now += 5_000;
    expect(health.admit('c:m')).toBe('half_open');
    expect(health.admit('c:m')).toBe('open');
    health.report('c:m', true, 10, breaker, true);
    await health.flush();
    expect(health.admit('c:m')).toBe('closed');
    expect(health.snapshot()).toEqual([expect.objectContaining({ target: 'c:m', state: 'closed' })]);
  });

  it('opens on an error ratio over the minimum of requests, and reopens when the probe fails', async () => {
    let now = 1_000;
    const health = new TargetHealth({ channel: null, redis: null, prefix: 't', replicaId: 'r1', now: () => now });
    const ratio = { ...breaker, failure_threshold: 100 };
    for (let i = 0; i < 10; i++) health.report('c:m', i % 2 === 0, 10, ratio, false);
    await health.flush();
    expect(health.admit('c:m')).toBe('open');
    now += 5_000;
    expect(health.admit('c:m')).toBe('half_open');
    health.report('c:m', false, 10, ratio, true);
    await health.flush();
    expect(health.admit('c:m')).toBe('open');
    expect(health.snapshot()[0]).toMatchObject({ state: 'open' });
  });
});
