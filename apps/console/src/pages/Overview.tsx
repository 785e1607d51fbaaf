import { useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { format } from 'date-fns';
import { useState } from 'react';
import { DataTable } from '../components/DataTable';
import { Empty, QueryState } from '../components/States';
import { TimeChart } from '../components/TimeChart';
import { analyticsQuery, byGroup, RANGES, series, totals, type AnalyticsRow, type Range, type Totals } from '../lib/analytics';
import { useApi } from '../lib/api';
import { formatCost, formatCount, formatPercent } from '../lib/format';

interface Budgets {
  rules: Array<{ id: string; name: string; buckets: Array<{ values: string[]; limit: number; spent: number }> }>;
  keys: Array<{ id: string; name: string; limit: number | null; spent: number }>;
}

const col = createColumnHelper<Totals & { group: string }>();
const groupColumns = [
  col.accessor('group', { header: 'Group' }),
  col.accessor('requests', { header: 'Requests', cell: (c) => formatCount(c.getValue()) }),
  col.accessor('errors', { header: 'Errors', cell: (c) => formatCount(c.getValue()) }),
  col.accessor('tokens', { header: 'Tokens', cell: (c) => formatCount(c.getValue()) }),
  col.accessor('cost', { header: 'Cost', cell: (c) => formatCost(c.getValue()) }),
];

export default function Overview() {
  const api = useApi();
  const [range, setRange] = useState<Range>('24h');
  const [groupBy, setGroupBy] = useState('');
  const analytics = useQuery({
    queryKey: ['analytics', api.org, api.project, range, groupBy],
    queryFn: () => api.collector<{ data: AnalyticsRow[] }>(`/v1/analytics?${analyticsQuery(range, groupBy)}`),
    // The range ends now: a page opened again (or left open) asks again rather than showing the answer of its last visit.
    refetchOnMount: 'always',
    refetchInterval: 60_000,
  });
  const budgets = useQuery({ queryKey: ['budgets', api.org, api.project], queryFn: () => api.admin<Budgets>(api.projectPath('/budgets')) });
  const tick = (iso: string) => format(new Date(iso), RANGES[range].interval === 'day' ? 'MMM d' : 'HH:mm');
  return (
    <section aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">Overview</h1>
        <div className="toolbar">
          <label>
            Range{' '}
            <select value={range} onChange={(e) => setRange(e.target.value as Range)}>
              {Object.entries(RANGES).map(([k, v]) => (
                <option key={k} value={k}>
                  {v.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            By{' '}
            <select value={groupBy} onChange={(e) => setGroupBy(e.target.value)}>
              <option value="">Everything</option>
              <option value="model">Model</option>
              <option value="provider">Provider</option>
              <option value="key">Key</option>
              <option value="customer">Customer</option>
            </select>
          </label>
        </div>
      </div>
      <QueryState q={analytics} what="analytics">
        {({ data }) => {
          const t = totals(data);
          const points = series(data);
          return (
            <>
              <div className="cards">
                <Card label="Requests" value={formatCount(t.requests)} />
                <Card label="Errors" value={`${formatCount(t.errors)} (${formatPercent(t.errors, t.requests)})`} />
                <Card label="Cache hit rate" value={formatPercent(t.cached, t.requests)} />
                <Card label="Tokens" value={formatCount(t.tokens)} />
                <Card label="Cost" value={formatCost(t.cost)} />
              </div>
              {!points.length ? (
                <Empty>No requests in this range yet. Send one from the Playground.</Empty>
              ) : (
                <div className="charts">
                  <TimeChart
                    title="Requests and errors"
                    kind="area"
                    points={points}
                    tick={tick}
                    integers
                    series={[
                      { key: 'requests', name: 'Requests', color: 'var(--accent)' },
                      { key: 'errors', name: 'Errors', color: 'var(--danger)' },
                      { key: 'cached', name: 'Cache hits', color: 'var(--ok)' },
                    ]}
                  />
                  <TimeChart title="Cost (USD)" kind="bar" points={points} tick={tick} format={formatCost} series={[{ key: 'cost', name: 'Cost', color: 'var(--accent)' }]} />
                  <TimeChart
                    title="Latency p50 / p95 (ms)"
                    kind="line"
                    points={points}
                    tick={tick}
                    series={[
                      { key: 'p50', name: 'p50', color: 'var(--accent)' },
                      { key: 'p95', name: 'p95', color: 'var(--warn)' },
                    ]}
                  />
                  <TimeChart title="Tokens" kind="bar" points={points} tick={tick} series={[{ key: 'tokens', name: 'Tokens', color: 'var(--ok)' }]} />
                </div>
              )}
              {groupBy && <DataTable label={`By ${groupBy}`} data={byGroup(data)} columns={groupColumns} />}
            </>
          );
        }}
      </QueryState>
      <h2>Budgets</h2>
      <QueryState q={budgets} what="budgets">
        {(b) => {
          const lines = [
            ...b.keys.filter((k) => k.limit !== null).map((k) => ({ id: k.id, label: `Key ${k.name}`, spent: k.spent, limit: k.limit! })),
            ...b.rules.flatMap((r) => r.buckets.map((x) => ({ id: `${r.id}-${x.values.join('/')}`, label: `${r.name}${x.values.length ? ` (${x.values.join(', ')})` : ''}`, spent: x.spent, limit: x.limit }))),
          ];
          if (!lines.length) return <Empty>No budgets: set a key&apos;s max_budget or a spend rule (Keys page, or the governance API).</Empty>;
          return (
            <ul className="budgets">
              {lines.map((l) => (
                <li key={l.id}>
                  <span>{l.label}</span>
                  <meter min={0} max={l.limit} value={l.spent} aria-label={`${l.label} spend`} />
                  <span>
                    {formatCost(l.spent)} of {formatCost(l.limit)}
                  </span>
                </li>
              ))}
            </ul>
          );
        }}
      </QueryState>
    </section>
  );
}

function Card({ label, value }: { label: string; value: string }) {
  return (
    <div className="card">
      <div className="muted">{label}</div>
      <div className="big">{value}</div>
    </div>
  );
}
