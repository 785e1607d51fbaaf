import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState, type FormEvent } from 'react';
import { DataTable } from '../components/DataTable';
import { Field, numberOrNull } from '../components/Field';
import { Empty, ErrorNote, QueryState } from '../components/States';
import { useApi, type Page } from '../lib/api';
import { formatAgo, formatCost } from '../lib/format';
import { updateSession } from '../lib/session';

interface AccessKey {
  id: string;
  name: string;
  preview: string;
  project_id: string | null;
  admin: boolean;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_budget: number | null;
  budget_duration: string | null;
}

const col = createColumnHelper<AccessKey>();

export default function Keys() {
  const api = useApi();
  const qc = useQueryClient();
  const [showRevoked, setShowRevoked] = useState(false);
  const keys = useQuery({
    queryKey: ['keys', api.org, showRevoked],
    queryFn: () => api.admin<Page<AccessKey>>(`/access-keys?organization_id=${api.org}${showRevoked ? '&include_revoked=true' : ''}`),
  });
  const [created, setCreated] = useState<(AccessKey & { key: string }) | null>(null);
  const [copied, setCopied] = useState(false);
  const [form, setForm] = useState({ name: '', scope: 'project', admin: false, rpm: '', tpm: '', budget: '', duration: '30d' });
  const create = useMutation({
    mutationFn: () =>
      api.admin<AccessKey & { key: string }>('/access-keys', 'POST', {
        organization_id: api.org,
        name: form.name,
        ...(form.scope === 'project' ? { project_id: api.project } : { admin: form.admin }),
        ...(form.rpm ? { rpm_limit: numberOrNull(form.rpm) } : {}),
        ...(form.tpm ? { tpm_limit: numberOrNull(form.tpm) } : {}),
        ...(form.budget ? { max_budget: numberOrNull(form.budget), budget_duration: form.duration } : {}),
      }),
    onSuccess: (k) => {
      setCreated(k);
      setCopied(false);
      setForm({ ...form, name: '' });
      void qc.invalidateQueries({ queryKey: ['keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.admin(`/access-keys/${id}`, 'DELETE'),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['keys'] }),
  });
  const columns = [
    col.accessor('name', { header: 'Name' }),
    col.accessor('preview', { header: 'Key', cell: (c) => <code>{c.getValue()}</code> }),
    col.accessor('project_id', { header: 'Scope', cell: (c) => (c.getValue() ? 'project' : c.row.original.admin ? 'organization (admin)' : 'organization') }),
    col.display({
      id: 'limits',
      header: 'Limits',
      cell: (c) => {
        const k = c.row.original;
        const parts = [k.rpm_limit !== null && `${k.rpm_limit} rpm`, k.tpm_limit !== null && `${k.tpm_limit} tpm`, k.max_budget !== null && `${formatCost(k.max_budget)} / ${k.budget_duration ?? 'total'}`].filter(Boolean);
        return parts.join(', ') || 'none';
      },
    }),
    col.accessor('last_used_at', { header: 'Last used', cell: (c) => formatAgo(c.getValue()) }),
    col.display({
      id: 'actions',
      header: '',
      cell: (c) =>
        c.row.original.revoked_at ? (
          'revoked'
        ) : (
          <button
            className="danger"
            onClick={() => {
              if (confirm(`Revoke the key “${c.row.original.name}”? Requests with it are refused within a second.`)) revoke.mutate(c.row.original.id);
            }}
          >
            Revoke
          </button>
        ),
    }),
  ];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="keys-title">
      <div className="page-head">
        <h1 id="keys-title">Access keys</h1>
        <label>
          <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} /> Show revoked
        </label>
      </div>
      {created && (
        <div className="notice" role="status">
          <p>
            Key <strong>{created.name}</strong> created. Copy it now: it is shown only once.
          </p>
          <code className="secret" data-testid="new-key">
            {created.key}
          </code>{' '}
          <button
            onClick={() =>
              void navigator.clipboard
                .writeText(created.key)
                .then(() => setCopied(true))
                .catch(() => setCopied(false))
            }
          >
            {copied ? 'Copied' : 'Copy'}
          </button>{' '}
          <button onClick={() => updateSession({ dataKey: created.key })}>Use for the playground and documents</button>{' '}
          <button onClick={() => setCreated(null)}>Done</button>
        </div>
      )}
      <form className="panel form-grid" onSubmit={submit} aria-label="Create a key">
        <h2>Create a key</h2>
        <Field label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        <label className="field">
          <span>Scope</span>
          <select value={form.scope} onChange={(e) => setForm({ ...form, scope: e.target.value })}>
            <option value="project">This project ({api.project})</option>
            <option value="organization">Organization (x-gateway-project picks the project)</option>
          </select>
        </label>
        {form.scope === 'organization' && (
          <label>
            <input type="checkbox" checked={form.admin} onChange={(e) => setForm({ ...form, admin: e.target.checked })} /> Admin (may administer the organization)
          </label>
        )}
        <Field label="Requests per minute" type="number" min={1} value={form.rpm} onChange={(e) => setForm({ ...form, rpm: e.target.value })} placeholder="no limit" />
        <Field label="Tokens per minute" type="number" min={1} value={form.tpm} onChange={(e) => setForm({ ...form, tpm: e.target.value })} placeholder="no limit" />
        <Field label="Budget (USD)" type="number" min={0} step="any" value={form.budget} onChange={(e) => setForm({ ...form, budget: e.target.value })} placeholder="no budget" />
        <label className="field">
          <span>Budget period</span>
          <select value={form.duration} onChange={(e) => setForm({ ...form, duration: e.target.value })}>
            {['1h', '1d', '7d', '30d'].map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={create.isPending}>
          Create key
        </button>
        {create.error && <ErrorNote error={create.error} />}
      </form>
      {revoke.error && <ErrorNote error={revoke.error} />}
      <QueryState q={keys} what="keys">
        {({ data }) => (data.length ? <DataTable label="Access keys" data={data} columns={columns} rowId={(k) => k.id} /> : <Empty>No keys yet.</Empty>)}
      </QueryState>
    </section>
  );
}
