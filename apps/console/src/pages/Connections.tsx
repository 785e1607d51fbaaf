import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { DataKeyField } from '../components/DataKey';
import { DataTable } from '../components/DataTable';
import { Field } from '../components/Field';
import { Empty, ErrorNote, QueryState } from '../components/States';
import { request, useApi, type Page } from '../lib/api';
import { credentialsOf, PROVIDERS } from '../lib/providers';
import { useSession } from '../lib/session';

interface Connection {
  id: string;
  provider: string;
  name: string;
  slug: string;
  secret_preview: string;
  base_url: string | null;
  is_default: boolean;
}

const col = createColumnHelper<Connection>();

export default function Connections() {
  const api = useApi();
  const qc = useQueryClient();
  const conns = useQuery({ queryKey: ['connections', api.org], queryFn: () => api.admin<Page<Connection>>(`/connections?organization_id=${api.org}`) });
  const [editing, setEditing] = useState<Connection | null>(null);
  const [testing, setTesting] = useState<Connection | null>(null);
  const remove = useMutation({ mutationFn: (id: string) => api.admin(`/connections/${id}`, 'DELETE'), onSuccess: () => void qc.invalidateQueries({ queryKey: ['connections'] }) });
  const columns = [
    col.accessor('name', { header: 'Name' }),
    col.accessor('slug', { header: 'Slug', cell: (c) => <code>@{c.getValue()}</code> }),
    col.accessor('provider', { header: 'Provider', cell: (c) => PROVIDERS[c.getValue()]?.label ?? c.getValue() }),
    col.accessor('secret_preview', { header: 'Secret', cell: (c) => <code>{c.getValue()}</code> }),
    col.accessor('base_url', { header: 'Base URL', cell: (c) => c.getValue() ?? 'default' }),
    col.accessor('is_default', { header: 'Default', cell: (c) => (c.getValue() ? 'yes' : '') }),
    col.display({
      id: 'actions',
      header: '',
      cell: (c) => (
        <span className="actions">
          <button onClick={() => setTesting(c.row.original)}>Test</button>
          <button onClick={() => setEditing(c.row.original)}>Edit</button>
          <button className="danger" onClick={() => confirm(`Delete the connection “${c.row.original.name}”?`) && remove.mutate(c.row.original.id)}>
            Delete
          </button>
        </span>
      ),
    }),
  ];
  return (
    <section aria-labelledby="conn-title">
      <div className="page-head">
        <h1 id="conn-title">Connections</h1>
      </div>
      <ConnectionForm key={editing?.id ?? 'new'} editing={editing} onDone={() => setEditing(null)} />
      {remove.error && <ErrorNote error={remove.error} />}
      <QueryState q={conns} what="connections">
        {({ data }) => (data.length ? <DataTable label="Connections" data={data} columns={columns} rowId={(c) => c.id} /> : <Empty>No connections: add your provider&apos;s key above.</Empty>)}
      </QueryState>
      {testing && <TestConnection connection={testing} onClose={() => setTesting(null)} />}
    </section>
  );
}

function ConnectionForm({ editing, onDone }: { editing: Connection | null; onDone: () => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const [provider, setProvider] = useState(editing?.provider ?? 'openai');
  const [name, setName] = useState(editing?.name ?? '');
  const [slug, setSlug] = useState(editing?.slug ?? '');
  const [baseUrl, setBaseUrl] = useState(editing?.base_url ?? '');
  const [isDefault, setIsDefault] = useState(editing?.is_default ?? false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => (editing ? api.admin(`/connections/${editing.id}`, 'PATCH', body) : api.admin('/connections', 'POST', { organization_id: api.org, provider, ...body })),
    onSuccess: () => {
      setValues({});
      if (!editing) {
        setName('');
        setSlug('');
        setBaseUrl('');
      }
      void qc.invalidateQueries({ queryKey: ['connections'] });
      onDone();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const creds = credentialsOf(provider, values, !!editing);
    if ('error' in creds) return setError(creds.error);
    setError(null);
    save.mutate({ name, slug, base_url: baseUrl.trim() || null, is_default: isDefault, ...(creds.credentials ? { credentials: creds.credentials } : {}) });
  };
  const spec = PROVIDERS[provider];
  return (
    <form className="panel form-grid" onSubmit={submit} aria-label={editing ? 'Edit connection' : 'Add a connection'}>
      <h2>{editing ? `Edit ${editing.name}` : 'Add a connection'}</h2>
      <label className="field">
        <span>Provider</span>
        <select value={provider} disabled={!!editing} onChange={(e) => setProvider(e.target.value)}>
          {Object.entries(PROVIDERS).map(([id, p]) => (
            <option key={id} value={id}>
              {p.label}
            </option>
          ))}
        </select>
      </label>
      <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} required />
      <Field label="Slug (models name it as @slug/model)" value={slug} onChange={(e) => setSlug(e.target.value)} required pattern="[a-z0-9][a-z0-9\-]*" />
      {spec?.fields.map((f) =>
        f.multiline ? (
          <label key={f.name} className="field">
            <span>{f.label}</span>
            <textarea value={values[f.name] ?? ''} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} placeholder={editing ? 'unchanged' : ''} />
          </label>
        ) : (
          <Field
            key={f.name}
            label={`${f.label}${f.optional ? ' (optional)' : ''}`}
            type={f.secret ? 'password' : 'text'}
            autoComplete="off"
            value={values[f.name] ?? ''}
            placeholder={editing ? (f.secret ? 'unchanged (write-only)' : 'unchanged') : ''}
            onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
          />
        ),
      )}
      <Field label="Base URL (optional)" type="url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="the provider's default" />
      <label>
        <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} /> Default for {spec?.label ?? provider}
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {editing ? 'Save' : 'Add connection'}
        </button>
        {editing && (
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
      {error && <ErrorNote error={error} />}
      {save.error && <ErrorNote error={save.error} />}
    </form>
  );
}

/** A 1-token chat call through the connection (`@slug/model`, max_tokens 1) with the session's access key. */
function TestConnection({ connection, onClose }: { connection: Connection; onClose: () => void }) {
  const { dataKey, project } = useSession();
  const [model, setModel] = useState(PROVIDERS[connection.provider]?.testModel ?? 'model');
  const test = useMutation({
    mutationFn: () =>
      request<{ model: string; usage?: { total_tokens?: number } }>('/v1/chat/completions', dataKey ?? '', {
        method: 'POST',
        headers: { 'x-gateway-project': project ?? 'default' },
        body: JSON.stringify({ model: `@${connection.slug}/${model}`, max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] }),
      }),
  });
  return (
    <div className="panel" role="dialog" aria-label={`Test ${connection.name}`}>
      <h2>Test {connection.name}</h2>
      <DataKeyField />
      <Field label="Model" value={model} onChange={(e) => setModel(e.target.value)} />
      <div className="actions">
        <button className="primary" disabled={!dataKey || test.isPending} onClick={() => test.mutate()}>
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
        <button onClick={onClose}>Close</button>
      </div>
      {test.error && <ErrorNote error={test.error} />}
      {test.data && (
        <p className="ok" role="status">
          Connection works: {test.data.model} answered.
        </p>
      )}
    </div>
  );
}
