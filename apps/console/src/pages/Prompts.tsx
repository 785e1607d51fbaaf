import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { DiffView } from '../components/DiffView';
import { Field } from '../components/Field';
import { Empty, ErrorNote, QueryState } from '../components/States';
import { useApi, type Page } from '../lib/api';
import { formatTime } from '../lib/format';
import { parsePromptMessages, versionFields, type PromptMessage } from '../lib/llmops';

interface Prompt {
  id: string;
  name: string;
  deployed_version: number | null;
  latest_version: number;
}
interface PromptVersion {
  version: number;
  deployed: boolean;
  messages: PromptMessage[];
  model: string | null;
  parameters: Record<string, unknown>;
  created_at: string;
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);
const STARTER = pretty([{ role: 'system', content: 'Write a haiku about {{ topic }}.' }]);

/** Saved prompts (docs/routing.md "Prompts"): versions, the deployed one, deploy and roll back. */
export default function Prompts() {
  const api = useApi();
  const { id } = useParams();
  const prompts = useQuery({ queryKey: ['prompts', api.org, api.project], queryFn: () => api.admin<Page<Prompt>>(api.projectPath('/prompts')) });
  return (
    <section aria-labelledby="prompts-title">
      <div className="page-head">
        <h1 id="prompts-title">Prompts</h1>
      </div>
      <QueryState q={prompts} what="prompts">
        {({ data }) =>
          data.length ? (
            <ul className="pills" aria-label="Prompts">
              {data.map((p) => (
                <li key={p.id}>
                  <Link to={`/prompts/${p.id}`} aria-current={p.id === id ? 'page' : undefined}>
                    {p.name} <span className="muted">v{p.deployed_version ?? '–'}</span>
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No prompts yet. A chat request names one in its body: {'"prompt": {"prompt_id": "<name>", "variables": {…}}'}.</Empty>
          )
        }
      </QueryState>
      {id ? <PromptDetail key={id} id={id} /> : <VersionForm mode="create" />}
    </section>
  );
}

/** The create form (name + version 1, deployed) or a new version (a draft until deployed), prefilled from `from`. */
function VersionForm({ mode, base, from, onSaved }: { mode: 'create' | 'version'; base?: string; from?: PromptVersion; onSaved?: (v: PromptVersion) => void }) {
  const api = useApi();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [messages, setMessages] = useState(from ? pretty(from.messages) : STARTER);
  const [model, setModel] = useState(from?.model ?? '');
  const [parameters, setParameters] = useState(from && Object.keys(from.parameters).length ? pretty(from.parameters) : '');
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>): Promise<Prompt | PromptVersion> =>
      mode === 'create' ? api.admin<Prompt>(api.projectPath('/prompts'), 'POST', body) : api.admin<PromptVersion>(`${base}/versions`, 'POST', body),
    onSuccess: (saved) => {
      void qc.invalidateQueries({ queryKey: ['prompts'] });
      if ('id' in saved) void navigate(`/prompts/${saved.id}`);
      else onSaved?.(saved);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const m = parsePromptMessages(messages);
    const f = versionFields(model, parameters);
    if (!m.ok || !f.ok) return setError(!m.ok ? m.error : (f as { error: string }).error);
    setError(null);
    save.mutate({ ...(mode === 'create' ? { name } : {}), messages: m.value, ...f.value });
  };
  const label = mode === 'create' ? 'Create a prompt' : 'New prompt version';
  return (
    <form className="panel" aria-label={label} onSubmit={submit}>
      <h2>{mode === 'create' ? 'New prompt (version 1 is deployed)' : 'New version (a draft until deployed)'}</h2>
      {mode === 'create' && <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} required pattern="[A-Za-z0-9_.\-]+" />}
      <label className="field">
        <span>Messages (content is a Nunjucks template)</span>
        <textarea className="code" rows={8} value={messages} onChange={(e) => setMessages(e.target.value)} spellCheck={false} />
      </label>
      <Field label="Model (optional)" value={model} onChange={(e) => setModel(e.target.value)} placeholder="gpt-4o-mini, @conn/model" />
      <label className="field">
        <span>Parameters (JSON, optional)</span>
        <textarea className="code" rows={3} value={parameters} onChange={(e) => setParameters(e.target.value)} placeholder='{"temperature": 0.3}' spellCheck={false} />
      </label>
      <button className="primary" type="submit" disabled={save.isPending}>
        {mode === 'create' ? 'Create prompt' : 'Save version'}
      </button>
      {error && <ErrorNote error={error} />}
      {save.error && <ErrorNote error={save.error} />}
    </form>
  );
}

function PromptDetail({ id }: { id: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const base = api.projectPath(`/prompts/${id}`);
  const prompt = useQuery({ queryKey: ['prompt', base], queryFn: () => api.admin<Prompt>(base) });
  const versions = useQuery({ queryKey: ['prompt-versions', base], queryFn: () => api.admin<Page<PromptVersion>>(`${base}/versions`) });
  const [shown, setShown] = useState<number | null>(null);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['prompts'] });
    void qc.invalidateQueries({ queryKey: ['prompt', base] });
    void qc.invalidateQueries({ queryKey: ['prompt-versions', base] });
  };
  const deploy = useMutation({ mutationFn: (version: number) => api.admin<Prompt>(`${base}/deployments`, 'POST', { version }), onSuccess: refresh });
  const list = versions.data?.data ?? [];
  const current = list.find((v) => v.version === shown) ?? list.find((v) => v.deployed) ?? list[list.length - 1];
  const previous = current ? list.find((v) => v.version === current.version - 1) : undefined;
  const deployed = prompt.data?.deployed_version ?? null;
  const view = (v: PromptVersion | undefined) => (v ? pretty({ model: v.model, parameters: v.parameters, messages: v.messages }) : '');
  return (
    <div>
      {prompt.error && <ErrorNote error={prompt.error} />}
      <h2>{prompt.data?.name ?? '…'}</h2>
      <div className="two-col">
        <div>
          <h3>Versions</h3>
          <QueryState q={versions} what="versions">
            {() => (
              <ol className="versions" aria-label="Prompt versions">
                {list.map((v) => (
                  <li key={v.version} className={v === current ? 'selected' : undefined}>
                    <button className="link" onClick={() => setShown(v.version)}>
                      v{v.version} · {formatTime(v.created_at)}
                    </button>{' '}
                    {v.deployed ? (
                      <strong className="ok">deployed</strong>
                    ) : (
                      <button onClick={() => deploy.mutate(v.version)} disabled={deploy.isPending}>
                        {deployed !== null && v.version < deployed ? 'Roll back to this' : 'Deploy'}
                      </button>
                    )}
                  </li>
                ))}
              </ol>
            )}
          </QueryState>
          {deploy.error && <ErrorNote error={deploy.error} />}
        </div>
        <div>
          <h3>{previous ? `Changes from v${previous.version} to v${current!.version}` : 'First version'}</h3>
          <DiffView before={view(previous)} after={view(current)} label="Prompt diff" />
        </div>
      </div>
      {current && (
        <VersionForm
          key={current.version}
          mode="version"
          base={base}
          from={current}
          onSaved={(v) => {
            setShown(v.version);
            refresh();
          }}
        />
      )}
    </div>
  );
}
