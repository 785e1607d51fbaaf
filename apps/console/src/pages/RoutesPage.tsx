import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Background, Controls, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { DiffView } from '../components/DiffView';
import { Field } from '../components/Field';
import { Empty, ErrorNote, QueryState } from '../components/States';
import { useApi, type Page } from '../lib/api';
import { formatTime } from '../lib/format';
import { routeGraph, type RouteElement } from '../lib/graph';

interface RouteSummary {
  id: string;
  name: string;
  deployed_version_id: string | null;
  created_at: string;
}
interface Version {
  version_id: string;
  active: string;
  created_at: string;
  data: string;
}

const TEMPLATE: RouteElement[] = [
  { id: 'start', type: 'start', outputs: { next: { elementId: 'model' } } },
  { id: 'model', type: 'model', properties: { provider: 'openai', model: 'gpt-4o-mini', timeout: 60000, retries: 1 }, outputs: { success: { elementId: 'end' }, fallback: { elementId: 'end' } } },
  { id: 'end', type: 'end', outputs: {} },
];

const pretty = (elements: unknown) => JSON.stringify(elements, null, 2);
const elementsOf = (v: Version | undefined): RouteElement[] => (v ? ((JSON.parse(v.data) as { elements: RouteElement[] }).elements ?? []) : []);

export default function RoutesPage() {
  const api = useApi();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { id } = useParams();
  const routes = useQuery({ queryKey: ['routes', api.org, api.project], queryFn: () => api.admin<Page<RouteSummary>>(api.projectPath('/routes')) });
  const [name, setName] = useState('');
  const [doc, setDoc] = useState(pretty(TEMPLATE));
  const [error, setError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: (elements: unknown) => api.admin<RouteSummary>(api.projectPath('/routes'), 'POST', { name, elements }),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['routes'] });
      setName('');
      void navigate(`/routes/${r.id}`);
    },
  });
  return (
    <section aria-labelledby="routes-title">
      <div className="page-head">
        <h1 id="routes-title">Dynamic routes</h1>
      </div>
      <QueryState q={routes} what="routes">
        {({ data }) =>
          data.length ? (
            <ul className="pills" aria-label="Routes">
              {data.map((r) => (
                <li key={r.id}>
                  <Link to={`/routes/${r.id}`} aria-current={r.id === id ? 'page' : undefined}>
                    dynamic/{r.name}
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No routes yet. A route is called as the model dynamic/&lt;name&gt;.</Empty>
          )
        }
      </QueryState>
      {id ? (
        <RouteDetail key={id} id={id} />
      ) : (
        <form
          className="panel"
          aria-label="Create a route"
          onSubmit={(e) => {
            e.preventDefault();
            try {
              create.mutate(JSON.parse(doc));
              setError(null);
            } catch {
              setError('The elements are not valid JSON.');
            }
          }}
        >
          <h2>New route</h2>
          <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} required pattern="[A-Za-z0-9_\-]+" />
          <label className="field">
            <span>Elements (docs/routing.md)</span>
            <textarea className="code" rows={14} value={doc} onChange={(e) => setDoc(e.target.value)} />
          </label>
          <button className="primary" type="submit" disabled={create.isPending}>
            Create route
          </button>
          {error && <ErrorNote error={error} />}
          {create.error && <ErrorNote error={create.error} />}
        </form>
      )}
    </section>
  );
}

function RouteDetail({ id }: { id: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const base = api.projectPath(`/routes/${id}`);
  const route = useQuery({ queryKey: ['route', base], queryFn: () => api.admin<RouteSummary & { elements: RouteElement[] }>(base) });
  const versions = useQuery({ queryKey: ['route-versions', base], queryFn: () => api.admin<Page<Version>>(`${base}/versions`) });
  const deployments = useQuery({ queryKey: ['route-deployments', base], queryFn: () => api.admin<Page<{ deployment_id: string; version_id: string; created_at: string }>>(`${base}/deployments`) });
  const [shown, setShown] = useState<string | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['route', base] });
    void qc.invalidateQueries({ queryKey: ['route-versions', base] });
    void qc.invalidateQueries({ queryKey: ['route-deployments', base] });
  };
  const deploy = useMutation({ mutationFn: (versionId: string) => api.admin(`${base}/deployments`, 'POST', { version_id: versionId }), onSuccess: refresh });
  const save = useMutation({
    mutationFn: (elements: unknown) => api.admin<Version>(`${base}/versions`, 'POST', { elements }),
    onSuccess: (v) => {
      setDraft(null);
      setShown(v.version_id);
      refresh();
    },
  });
  const list = versions.data?.data ?? [];
  const current = list.find((v) => v.version_id === shown) ?? list.find((v) => v.active === 'true') ?? list[list.length - 1];
  const index = current ? list.indexOf(current) : -1;
  const previous = index > 0 ? list[index - 1] : undefined;
  const elements = current ? elementsOf(current) : (route.data?.elements ?? []);
  const graph = useMemo(() => routeGraph(elements), [elements]);
  return (
    <div className="route-detail">
      {route.error && <ErrorNote error={route.error} />}
      <h2>dynamic/{route.data?.name ?? '…'}</h2>
      <div className="graph" role="region" aria-label="Route graph">
        <ReactFlow nodes={graph.nodes.map((n) => ({ ...n, data: { label: `${n.data.label}${n.data.detail ? `\n${n.data.detail}` : ''}` }, className: `node-${n.data.type}` }))} edges={graph.edges} fitView nodesDraggable={false} proOptions={{ hideAttribution: true }}>
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      </div>
      <div className="two-col">
        <div>
          <h3>Versions</h3>
          <QueryState q={versions} what="versions">
            {() => (
              <ol className="versions" aria-label="Versions">
                {list.map((v, i) => (
                  <li key={v.version_id} className={v === current ? 'selected' : undefined}>
                    <button className="link" onClick={() => setShown(v.version_id)}>
                      v{i + 1} · {formatTime(v.created_at)}
                    </button>{' '}
                    {v.active === 'true' ? (
                      <strong className="ok">live</strong>
                    ) : (
                      <button onClick={() => deploy.mutate(v.version_id)} disabled={deploy.isPending}>
                        {route.data?.deployed_version_id && list.findIndex((x) => x.active === 'true') > i ? 'Roll back to this' : 'Deploy'}
                      </button>
                    )}
                  </li>
                ))}
              </ol>
            )}
          </QueryState>
          {deploy.error && <ErrorNote error={deploy.error} />}
          <h3>Deployments</h3>
          <QueryState q={deployments} what="deployments">
            {({ data }) =>
              data.length ? (
                <ol className="deployments" aria-label="Deployments">
                  {data.map((d) => (
                    <li key={d.deployment_id}>
                      {formatTime(d.created_at)}: v{list.findIndex((v) => v.version_id === d.version_id) + 1}
                    </li>
                  ))}
                </ol>
              ) : (
                <Empty>No deployments.</Empty>
              )
            }
          </QueryState>
        </div>
        <div>
          <h3>{previous ? `Changes from v${index} to v${index + 1}` : 'First version'}</h3>
          <DiffView before={previous ? pretty(elementsOf(previous)) : ''} after={pretty(elements)} label="Version diff" />
        </div>
      </div>
      <form
        className="panel"
        aria-label="New version"
        onSubmit={(e) => {
          e.preventDefault();
          try {
            save.mutate(JSON.parse(draft ?? pretty(elements)));
            setError(null);
          } catch {
            setError('The elements are not valid JSON.');
          }
        }}
      >
        <h3>New version (saved, not live until deployed)</h3>
        <textarea className="code" aria-label="Elements" rows={12} value={draft ?? pretty(elements)} onChange={(e) => setDraft(e.target.value)} />
        <button type="submit" className="primary" disabled={save.isPending}>
          Save version
        </button>
        {error && <ErrorNote error={error} />}
        {save.error && <ErrorNote error={save.error} />}
      </form>
    </div>
  );
}
