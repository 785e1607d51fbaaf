import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { DataTable } from '../components/DataTable';
import { Empty, ErrorNote, QueryState } from '../components/States';
import { useApi, type Page } from '../lib/api';
import { formatCost, formatCount, formatDuration, formatTime } from '../lib/format';
import { logIdOf, waterfall, type TraceSpan } from '../lib/waterfall';

interface TraceSummary {
  trace_id: string;
  root_name: string | null;
  service: string | null;
  start_time: string;
  duration_ms: number;
  span_count: number;
  error_count: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
}

const col = createColumnHelper<TraceSummary>();
const columns = [
  col.accessor('start_time', { header: 'Start', cell: (c) => formatTime(c.getValue()) }),
  col.accessor('root_name', { header: 'Root span', cell: (c) => c.getValue() ?? '(missing root)' }),
  col.accessor('service', { header: 'Service', cell: (c) => c.getValue() ?? '—' }),
  col.accessor('duration_ms', { header: 'Duration', cell: (c) => formatDuration(c.getValue()) }),
  col.accessor('span_count', { header: 'Spans' }),
  col.accessor('error_count', { header: 'Errors', cell: (c) => <span className={c.getValue() ? 'bad' : undefined}>{c.getValue()}</span> }),
  col.display({ id: 'tokens', header: 'Tokens', cell: (c) => formatCount((c.row.original.input_tokens ?? 0) + (c.row.original.output_tokens ?? 0)) }),
  col.accessor('cost', { header: 'Cost', cell: (c) => formatCost(c.getValue()) }),
];

/** The search form's fields as the trace API's query string. */
function traceQuery(f: { service: string; name: string; status: string; attr: string; hours: string }, cursor: string | null): string {
  const p = new URLSearchParams({ limit: '50' });
  if (f.service.trim()) p.set('service', f.service.trim());
  if (f.name.trim()) p.set('name', f.name.trim());
  if (f.status) p.set('status', f.status);
  if (f.hours) p.set('from', new Date(Date.now() - Number(f.hours) * 3_600_000).toISOString());
  const [k, ...v] = f.attr.split('=');
  if (k?.trim() && v.length) p.set(`attr.${k.trim()}`, v.join('=').trim());
  if (cursor) p.set('cursor', cursor);
  return p.toString();
}

export default function Traces() {
  const api = useApi();
  const { id } = useParams();
  const navigate = useNavigate();
  const empty = { service: '', name: '', status: '', attr: '', hours: '24' };
  const [draft, setDraft] = useState(empty);
  const [search, setSearch] = useState(empty);
  const traces = useInfiniteQuery({
    queryKey: ['traces', api.org, api.project, search],
    queryFn: ({ pageParam }) => api.collector<Page<TraceSummary>>(`/v1/traces?${traceQuery(search, pageParam)}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const rows = traces.data?.pages.flatMap((p) => p.data) ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSearch(draft);
  };
  if (id) return <TraceView id={id} />;
  return (
    <section aria-labelledby="traces-title">
      <div className="page-head">
        <h1 id="traces-title">Traces</h1>
      </div>
      <form className="toolbar wrap" role="search" onSubmit={submit} aria-label="Search traces">
        <input aria-label="Service" placeholder="service" value={draft.service} onChange={(e) => setDraft({ ...draft, service: e.target.value })} />
        <input aria-label="Span name" placeholder="span name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        <select aria-label="Status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
          <option value="">any status</option>
          <option value="ok">ok</option>
          <option value="error">error</option>
        </select>
        <input aria-label="Attribute" placeholder="attribute=value (gen_ai.request.model=gpt-4o)" value={draft.attr} onChange={(e) => setDraft({ ...draft, attr: e.target.value })} />
        <select aria-label="Time" value={draft.hours} onChange={(e) => setDraft({ ...draft, hours: e.target.value })}>
          <option value="1">last hour</option>
          <option value="24">last 24 hours</option>
          <option value="168">last 7 days</option>
          <option value="720">last 30 days</option>
          <option value="">all time</option>
        </select>
        <button type="submit">Search</button>
      </form>
      {traces.error ? (
        <ErrorNote error={traces.error} />
      ) : traces.isPending ? (
        <p className="muted">Loading traces…</p>
      ) : rows.length ? (
        <DataTable label="Traces" data={rows} columns={columns} rowId={(t) => t.trace_id} onRow={(t) => void navigate(`/traces/${t.trace_id}`)} />
      ) : (
        <Empty>No traces. Send OpenTelemetry spans to the collector&apos;s /v1/traces (docs/collector.md).</Empty>
      )}
      {traces.hasNextPage && (
        <button onClick={() => void traces.fetchNextPage()} disabled={traces.isFetchingNextPage}>
          Load more
        </button>
      )}
    </section>
  );
}

function TraceView({ id }: { id: string }) {
  const api = useApi();
  const trace = useQuery({ queryKey: ['trace', api.org, api.project, id], queryFn: () => api.collector<{ trace_id: string; spans: TraceSpan[] }>(`/v1/traces/${id}`) });
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <section aria-labelledby="trace-title">
      <div className="page-head">
        <h1 id="trace-title">
          Trace <code>{id}</code>
        </h1>
        <Link to="/traces">All traces</Link>
      </div>
      <QueryState q={trace} what="the trace">
        {(t) => {
          const { rows, totalMs } = waterfall(t.spans);
          const span = t.spans.find((s) => s.span_id === selected) ?? null;
          return (
            <>
              <p className="muted">
                {t.spans.length} spans, {formatDuration(totalMs)}
              </p>
              <ol className="waterfall" aria-label="Waterfall">
                {rows.map((r) => (
                  <li key={r.span.span_id}>
                    <button className={`wf-row${selected === r.span.span_id ? ' selected' : ''}`} onClick={() => setSelected(r.span.span_id)} aria-pressed={selected === r.span.span_id}>
                      <span className="wf-name" style={{ paddingLeft: `${r.depth * 14}px` }}>
                        {r.span.name} <span className="muted">{r.span.service}</span>
                      </span>
                      <span className="wf-track">
                        <span className={`wf-bar${String(r.span.status.code).toLowerCase().includes('error') || r.span.status.code === 2 ? ' err' : r.span.gen_ai?.model ? ' ai' : ''}`} style={{ left: `${r.offset}%`, width: `${r.width}%` }} />
                      </span>
                      <span className="wf-dur">{formatDuration(r.span.duration_ms)}</span>
                    </button>
                  </li>
                ))}
              </ol>
              {span && <SpanDetail span={span} />}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}

function SpanDetail({ span }: { span: TraceSpan }) {
  const logId = logIdOf(span);
  return (
    <div className="panel" role="region" aria-label="Span detail">
      <h2>{span.name}</h2>
      {span.gen_ai && (span.gen_ai.model || span.gen_ai.input_tokens !== null) && (
        <dl className="facts">
          <dt>Model</dt>
          <dd>
            {span.gen_ai.provider ? `${span.gen_ai.provider}/` : ''}
            {span.gen_ai.model ?? '—'}
          </dd>
          <dt>Tokens</dt>
          <dd>
            {formatCount(span.gen_ai.input_tokens)} in, {formatCount(span.gen_ai.output_tokens)} out
          </dd>
          <dt>Cost</dt>
          <dd>{formatCost(span.gen_ai.cost)}</dd>
        </dl>
      )}
      {logId && <Link to={`/logs/${logId}`}>Open the request log</Link>}
      <h3>Attributes</h3>
      <pre className="json">{JSON.stringify(span.attributes, null, 2)}</pre>
      <h3>Events</h3>
      {span.events.length ? <pre className="json">{JSON.stringify(span.events, null, 2)}</pre> : <Empty>No events.</Empty>}
    </div>
  );
}
