import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ChatView } from '../components/ChatView';
import { DataTable } from '../components/DataTable';
import { Empty, ErrorNote, QueryState } from '../components/States';
import { useApi, type Page } from '../lib/api';
import { requestMessages, responseMessages } from '../lib/chat';
import { FILTER_KEYS, filterLabel, logsQueryString, OPERATOR_LABELS, operatorsFor, parseFilterValues, upsertFilter, type FilterOperator, type LogFilter } from '../lib/filters';
import { formatCost, formatCount, formatDuration, formatTime } from '../lib/format';

export interface Log {
  id: string;
  created_at: string;
  model: string | null;
  model_requested: string | null;
  provider: string | null;
  status_code: number | null;
  success: boolean;
  cached: boolean;
  tokens: number | null;
  tokens_in: number | null;
  tokens_out: number | null;
  cost: number | null;
  duration: number | null;
  ttfb: number | null;
  path: string | null;
  key_id: string | null;
  customer_identifier: string | null;
  feedback: number | null;
  score: number | null;
  metadata: Record<string, unknown> | null;
  routing: unknown;
  attempts: Array<{ step: number; provider: string; model: string; status: number | null; duration: number | null; error_code: string | null }> | null;
  error_code: string | null;
  stream: boolean;
  token_buckets: Record<string, number> | null;
}

const col = createColumnHelper<Log>();
const columns = [
  col.accessor('created_at', { header: 'Time', cell: (c) => formatTime(c.getValue()) }),
  col.accessor('status_code', { header: 'Status', cell: (c) => <span className={c.row.original.success ? 'ok' : 'bad'}>{c.getValue() ?? '—'}</span> }),
  col.accessor('model', { header: 'Model', cell: (c) => c.getValue() ?? c.row.original.model_requested ?? '—' }),
  col.accessor('provider', { header: 'Provider', cell: (c) => c.getValue() ?? '—' }),
  col.accessor('tokens', { header: 'Tokens', cell: (c) => formatCount(c.getValue()) }),
  col.accessor('cost', { header: 'Cost', cell: (c) => formatCost(c.getValue()) }),
  col.accessor('duration', { header: 'Duration', cell: (c) => formatDuration(c.getValue()) }),
  col.accessor('feedback', { header: 'Feedback', cell: (c) => (c.getValue() === 1 ? 'up' : c.getValue() === -1 ? 'down' : '') }),
];

export default function Logs() {
  const api = useApi();
  const { id } = useParams();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<LogFilter[]>([]);
  const [search, setSearch] = useState('');
  const [searchDraft, setSearchDraft] = useState('');
  const query = { filters, search, orderBy: 'created_at', direction: 'desc' as const, perPage: 50 };
  const logs = useInfiniteQuery({
    queryKey: ['logs', api.org, api.project, filters, search],
    queryFn: ({ pageParam }) => api.collector<Page<Log>>(`/v1/logs?${logsQueryString(query, pageParam)}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => {
      if (entries[0]?.isIntersecting && logs.hasNextPage && !logs.isFetchingNextPage) void logs.fetchNextPage();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [logs]);
  const rows = logs.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section aria-labelledby="logs-title" className={id ? 'split' : undefined}>
      <div>
        <div className="page-head">
          <h1 id="logs-title">Logs</h1>
          <button onClick={() => void logs.refetch()}>Refresh</button>
        </div>
        <FilterBuilder onAdd={(f) => setFilters(upsertFilter(filters, f))} />
        <ul className="chips" aria-label="Active filters">
          {filters.map((f) => (
            <li key={`${f.key}-${f.operator}`} className="chip">
              {filterLabel(f)}
              <button aria-label={`Remove filter ${filterLabel(f)}`} onClick={() => setFilters(filters.filter((x) => x !== f))}>
                ×
              </button>
            </li>
          ))}
        </ul>
        <form
          className="toolbar"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setSearch(searchDraft);
          }}
        >
          <input type="search" placeholder="Search bodies and metadata" aria-label="Search logs" value={searchDraft} onChange={(e) => setSearchDraft(e.target.value)} />
          <button type="submit">Search</button>
        </form>
        {logs.error ? (
          <ErrorNote error={logs.error} />
        ) : logs.isPending ? (
          <p className="muted">Loading logs…</p>
        ) : rows.length === 0 ? (
          <Empty>No logs match. Requests through the router appear here within a second or two.</Empty>
        ) : (
          <DataTable label="Logs" data={rows} columns={columns} rowId={(r) => r.id} onRow={(r) => void navigate(`/logs/${r.id}`)} />
        )}
        <div ref={sentinel} className="sentinel">
          {logs.isFetchingNextPage ? 'Loading more…' : logs.hasNextPage ? '' : rows.length ? 'End of the logs.' : ''}
        </div>
      </div>
      {id && <LogDetail id={id} />}
    </section>
  );
}

function FilterBuilder({ onAdd }: { onAdd: (f: LogFilter) => void }) {
  const [key, setKey] = useState('model');
  const [operator, setOperator] = useState<FilterOperator>('eq');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseFilterValues(key, operator, text);
    if ('error' in parsed) return setError(parsed.error);
    setError(null);
    setText('');
    onAdd({ key, operator, value: parsed.value });
  };
  return (
    <form className="toolbar filter-builder" onSubmit={submit} aria-label="Add a filter">
      <select
        aria-label="Filter field"
        value={key}
        onChange={(e) => {
          setKey(e.target.value);
          if (!operatorsFor(e.target.value).includes(operator)) setOperator('eq');
        }}
      >
        {Object.keys(FILTER_KEYS).map((k) => (
          <option key={k}>{k}</option>
        ))}
      </select>
      <select aria-label="Filter operator" value={operator} onChange={(e) => setOperator(e.target.value as FilterOperator)}>
        {operatorsFor(key).map((o) => (
          <option key={o} value={o}>
            {OPERATOR_LABELS[o]}
          </option>
        ))}
      </select>
      <input aria-label="Filter value" placeholder="value (a, b = any of)" value={text} onChange={(e) => setText(e.target.value)} />
      <button type="submit">Add filter</button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

function LogDetail({ id }: { id: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const log = useQuery({ queryKey: ['log', api.org, api.project, id], queryFn: () => api.collector<Log>(`/v1/logs/${id}`) });
  const body = (which: 'request' | 'response') => ({
    queryKey: ['log-body', id, which],
    queryFn: () => api.collector<unknown>(`/v1/logs/${id}/${which}`),
    retry: false,
  });
  const req = useQuery(body('request'));
  const res = useQuery(body('response'));
  const [score, setScore] = useState('');
  const patch = useMutation({
    mutationFn: (p: { feedback?: number | null; score?: number | null }) => api.collector<Log>(`/v1/logs/${id}`, 'PATCH', p),
    onSuccess: (updated) => {
      qc.setQueryData(['log', api.org, api.project, id], updated);
      void qc.invalidateQueries({ queryKey: ['logs'] });
    },
  });
  return (
    <aside className="detail" aria-label="Log detail">
      <div className="page-head">
        <h2>Log</h2>
        <Link to="/logs">Close</Link>
      </div>
      <QueryState q={log} what="the log">
        {(l) => (
          <>
            <dl className="facts">
              <dt>Id</dt>
              <dd>
                <code>{l.id}</code>
              </dd>
              <dt>Time</dt>
              <dd>{formatTime(l.created_at)}</dd>
              <dt>Status</dt>
              <dd>
                {l.status_code ?? '—'} {l.error_code && <code>{l.error_code}</code>}
              </dd>
              <dt>Model</dt>
              <dd>
                {l.model_requested} → {l.provider}/{l.model}
              </dd>
              <dt>Tokens</dt>
              <dd>
                {formatCount(l.tokens_in)} in, {formatCount(l.tokens_out)} out
              </dd>
              <dt>Cost</dt>
              <dd>{formatCost(l.cost)}</dd>
              <dt>Duration</dt>
              <dd>
                {formatDuration(l.duration)} (first byte {formatDuration(l.ttfb)}){l.stream ? ', streamed' : ''}
                {l.cached ? ', cache hit' : ''}
              </dd>
            </dl>
            <div className="feedback" role="group" aria-label="Feedback">
              <button aria-pressed={l.feedback === 1} onClick={() => patch.mutate({ feedback: l.feedback === 1 ? null : 1 })}>
                Thumbs up
              </button>
              <button aria-pressed={l.feedback === -1} onClick={() => patch.mutate({ feedback: l.feedback === -1 ? null : -1 })}>
                Thumbs down
              </button>
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  patch.mutate({ score: score === '' ? null : Number(score) });
                }}
              >
                <input aria-label="Score" type="number" step="any" placeholder={l.score === null ? 'score' : String(l.score)} value={score} onChange={(e) => setScore(e.target.value)} />
                <button type="submit">Save score</button>
              </form>
              {patch.error && <ErrorNote error={patch.error} />}
              {patch.isSuccess && (
                <span className="ok" role="status">
                  Saved
                </span>
              )}
            </div>
            <h3>Attempts</h3>
            {l.attempts?.length ? (
              <ol className="attempts">
                {l.attempts.map((a, i) => (
                  <li key={i}>
                    step {a.step}: {a.provider}/{a.model} → {a.status ?? 'no answer'} in {formatDuration(a.duration)} {a.error_code && <code>{a.error_code}</code>}
                  </li>
                ))}
              </ol>
            ) : (
              <Empty>No attempts recorded.</Empty>
            )}
            {l.routing !== null && l.routing !== undefined && (
              <>
                <h3>Routing decision</h3>
                <pre className="json">{JSON.stringify(l.routing, null, 2)}</pre>
              </>
            )}
            <h3>Metadata</h3>
            <pre className="json">{JSON.stringify(l.metadata ?? {}, null, 2)}</pre>
            <h3>Request</h3>
            {req.error ? <ErrorNote error={req.error} /> : req.data !== undefined && <ChatView label="Request body" lines={requestMessages(req.data)} raw={req.data} />}
            <h3>Response</h3>
            {res.error ? <ErrorNote error={res.error} /> : res.data !== undefined && <ChatView label="Response body" lines={responseMessages(res.data)} raw={res.data} />}
          </>
        )}
      </QueryState>
    </aside>
  );
}
