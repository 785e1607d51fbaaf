import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Field } from '../components/Field';
import { Empty, ErrorNote, QueryState } from '../components/States';
import { useApi, type Page } from '../lib/api';
import { formatTime } from '../lib/format';
import { updateSession } from '../lib/session';
import { SETTING_HINTS, settingFields, settingsPatch } from '../lib/settings';

type Project = Record<string, unknown> & { id: string; name: string; created_at: string };

export default function Projects() {
  const api = useApi();
  const qc = useQueryClient();
  const projects = useQuery({ queryKey: ['projects', api.org], queryFn: () => api.admin<Page<Project>>(`/organizations/${api.org}/projects`) });
  const profiles = useQuery({ queryKey: ['dlp-profiles', api.org], queryFn: () => api.admin<Page<{ id: string; name: string }>>(`/organizations/${api.org}/dlp-profiles`) });
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const create = useMutation({
    mutationFn: () => api.admin<Project>(`/organizations/${api.org}/projects`, 'POST', { name, ...(slug ? { id: slug } : {}) }),
    onSuccess: (p) => {
      setName('');
      setSlug('');
      void qc.invalidateQueries({ queryKey: ['projects'] });
      updateSession({ project: p.id });
    },
  });
  return (
    <section aria-labelledby="projects-title">
      <div className="page-head">
        <h1 id="projects-title">Projects</h1>
      </div>
      <QueryState q={projects} what="projects">
        {({ data }) => (
          <ul className="pills" aria-label="Projects">
            {data.map((p) => (
              <li key={p.id}>
                <button aria-pressed={p.id === api.project} onClick={() => updateSession({ project: p.id })}>
                  {p.name} <code>{p.id}</code>
                </button>
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      <form
        className="panel form-grid"
        aria-label="Create a project"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <h2>New project</h2>
        <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} required />
        <Field label="Id (slug, optional)" value={slug} onChange={(e) => setSlug(e.target.value)} pattern="[a-z0-9][a-z0-9\-]*" />
        <button className="primary" type="submit" disabled={create.isPending}>
          Create project
        </button>
        {create.error && <ErrorNote error={create.error} />}
      </form>
      <Settings key={`${api.org}/${api.project}`} />
      <h2>DLP profiles (organization)</h2>
      <QueryState q={profiles} what="DLP profiles">
        {({ data }) =>
          data.length ? (
            <ul>
              {data.map((p) => (
                <li key={p.id}>
                  {p.name} <code>{p.id}</code>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No custom DLP profiles; the built-in detectors are always available to the project&apos;s dlp policies.</Empty>
          )
        }
      </QueryState>
    </section>
  );
}

function Settings() {
  const api = useApi();
  const qc = useQueryClient();
  const project = useQuery({ queryKey: ['project', api.org, api.project], queryFn: () => api.admin<Project>(api.projectPath()) });
  const [drafts, setDrafts] = useState<Record<string, string | boolean>>({});
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (patch: Record<string, unknown>) => api.admin<Project>(api.projectPath(), 'PATCH', patch),
    onSuccess: (p) => {
      qc.setQueryData(['project', api.org, api.project], p);
      setDrafts({});
    },
  });
  return (
    <QueryState q={project} what="the project's settings">
      {(p) => {
        const submit = (e: FormEvent) => {
          e.preventDefault();
          const r = settingsPatch(p, drafts);
          if ('error' in r) return setError(r.error);
          setError(null);
          if (Object.keys(r.patch).length) save.mutate(r.patch);
        };
        return (
          <form className="panel settings" onSubmit={submit} aria-label="Gateway settings">
            <h2>
              Gateway settings of {p.name} <span className="muted">(created {formatTime(p.created_at)})</span>
            </h2>
            {settingFields(p).map((f) => {
              const draft = drafts[f.name];
              const hint = SETTING_HINTS[f.name];
              if (f.kind === 'boolean') {
                return (
                  <label key={f.name} className="setting">
                    <input type="checkbox" checked={typeof draft === 'boolean' ? draft : f.value === true} onChange={(e) => setDrafts({ ...drafts, [f.name]: e.target.checked })} /> {f.name}
                  </label>
                );
              }
              const text = typeof draft === 'string' ? draft : f.value === null ? '' : f.kind === 'json' ? JSON.stringify(f.value, null, 2) : String(f.value);
              return (
                <label key={f.name} className="setting">
                  <span>
                    {f.name} {hint && <span className="muted">({hint})</span>}
                  </span>
                  {f.kind === 'json' ? (
                    <textarea rows={Math.min(10, text.split('\n').length + 1)} value={text} onChange={(e) => setDrafts({ ...drafts, [f.name]: e.target.value })} placeholder="null" />
                  ) : (
                    <input type={f.kind === 'number' ? 'number' : 'text'} step="any" value={text} placeholder="null" onChange={(e) => setDrafts({ ...drafts, [f.name]: e.target.value })} />
                  )}
                </label>
              );
            })}
            <button className="primary" type="submit" disabled={save.isPending}>
              Save settings
            </button>
            {error && <ErrorNote error={error} />}
            {save.error && <ErrorNote error={save.error} />}
            {save.isSuccess && (
              <p className="ok" role="status">
                Saved.
              </p>
            )}
          </form>
        );
      }}
    </QueryState>
  );
}
