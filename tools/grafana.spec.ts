import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/** infra/grafana: the dashboard and the alert rules query only metrics the services register. */
const root = resolve(__dirname, '..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !/\.(spec|integration-spec|e2e-spec)\.ts$/.test(p) ? [p] : [];
  });
}

/** Metric names registered in the code: `name: '…'` of prom-client metrics and the collector's `gauge('…'` helper. */
const registered = new Set(
  [...sources(resolve(root, 'libs')), ...sources(resolve(root, 'apps'))].flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/(?:name: |gauge\()'((?:gateway|collector|http)_[a-z_]+)'/g)].map((m) => m[1]!)),
);

/** Metric names a PromQL expression reads (histogram series suffixes removed). */
const metricsOf = (expr: string) => [...expr.matchAll(/\b((?:gateway|collector|http)_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''));

describe('Grafana dashboard and alert rules (infra/grafana)', () => {
  it('the dashboard queries only registered metrics and covers latency, tokens, cost, cache, limits and queues', () => {
    const dashboard = JSON.parse(read('infra/grafana/switchyard-gateway.json')) as { uid: string; panels: { id: number; targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    const used = new Set(exprs.flatMap(metricsOf));
    expect([...used].filter((m) => !registered.has(m))).toEqual([]);
    for (const m of ['gateway_request_duration_seconds', 'gateway_upstream_duration_seconds', 'gateway_overhead_seconds', 'gateway_ttfb_seconds', 'gateway_tokens_total', 'gateway_cost_usd_total', 'gateway_cache_lookups_total', 'gateway_limit_refusals_total', 'collector_ingest_queue_depth']) {
      expect(used).toContain(m);
    }
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
  });

  it('every alert rule has an expression over registered metrics, a severity and a summary', () => {
    const rules = (parse(read('infra/grafana/alerts.rules.yml')) as { groups: { rules: { alert: string; expr: string; labels: { severity: string }; annotations: { summary: string } }[] }[] }).groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(5);
    for (const r of rules) {
      const used = metricsOf(r.expr);
      expect({ alert: r.alert, unknown: used.filter((m) => !registered.has(m)) }).toEqual({ alert: r.alert, unknown: [] });
      expect(used.length).toBeGreaterThan(0);
      expect(r.labels.severity).toBeTruthy();
      expect(r.annotations.summary).toBeTruthy();
    }
  });
});
