import { Gauge, type Registry } from 'prom-client';
import type { TargetHealth } from './target-health';

const STATE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;

/** `gateway_circuit_breaker_state{target}` (0 closed, 1 half open, 2 open) and the latency average per target, read at scrape time. */
export class BreakerMetrics {
  constructor(registry: Registry, health: TargetHealth) {
    const registers = [registry];
    const state: Gauge<'target'> = new Gauge({
      name: 'gateway_circuit_breaker_state',
      help: 'Circuit breaker state per target (connection:model): 0 closed, 1 half open, 2 open',
      labelNames: ['target'],
      registers,
      collect: () => {
        state.reset();
        for (const t of health.snapshot()) state.set({ target: t.target }, STATE_VALUE[t.state]);
      },
    });
    const ttfb: Gauge<'target'> = new Gauge({
      name: 'gateway_target_ttfb_ewma_ms',
      help: 'Moving average of the time to the first byte per target (connection:model), shared by the replicas',
      labelNames: ['target'],
      registers,
      collect: () => {
        ttfb.reset();
        for (const t of health.snapshot()) if (t.ttfb_ms !== null) ttfb.set({ target: t.target }, t.ttfb_ms);
      },
    });
  }
}
