import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Field } from '../components/Field';
import { Empty, ErrorNote, QueryState } from '../components/States';
import { useApi, type Page } from '../lib/api';
import { formatTime } from '../lib/format';
import { parseRules, pinVariant, ruleInputs, versionFields, type ConfigRule } from '../lib/llmops';

interface VariantVersion {
  id: string;
  version: number;
  model: string | null;
  system_prompt: string | null;
  parameters: Record<string, unknown>;
  created_at: string;
}
interface Variant {
  id: string;
  name: string;
  latest: VariantVersion | null;
}
interface Config {
  id: string;
  slug: string;
  name: string;
  variants?: Variant[];
  rules?: ConfigRule[];
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);

/** Configs with variants, versions and targeting rules (docs/routing.md "Configs"). */
export default function Configs() {
  const api = useApi();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { id } = useParams();
  const configs = useQuery({ queryKey: ['configs', api.org, api.project], queryFn: () => api.admin<Page<Config>>(api.projectPath('/configs')) });
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const create = useMutation({
    mutationFn: () => api.admin<Config>(api.projectPath('/configs'), 'POST', { name, ...(slug.trim() ? { slug: slug.trim() } : {}) }),
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ['configs'] });
      void navigate(`/configs/${c.id}`);
    },
  });
  return (
    <section aria-labelledby="configs-title">
      <div className="page-head">
        <h1 id="configs-title">Configs</h1>
      </div>
      <QueryState q={configs} what="configs">
        {({ data }) =>
          data.length ? (
            <ul className="pills" aria-label="Configs">
              {data.map((c) => (
                <li key={c.id}>
                  <Link to={`/configs/${c.id}`} aria-current={c.id === id ? 'page' : undefined}>
                    {c.slug}
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No configs yet. A chat request names one with the header x-gateway-config: &lt;slug&gt;.</Empty>
          )
        }
      </QueryState>
      {id ? (
        <ConfigDetail key={id} id={id} />
      ) : (
        <form
          className="panel form-grid"
          aria-label="Create a config"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <h2>New config</h2>
          <Field label="Name" value={name} onChange={(e) => setName(e.target.value)} required />
          <Field label="Slug (optional)" value={slug} onChange={(e) => setSlug(e.target.value)} placeholder="from the name" />
          <button className="primary" type="submit" disabled={create.isPending}>
            Create config
          </button>
          {create.error && <ErrorNote error={create.error} />}
        </form>
      )}
    </section>
  );
}

function ConfigDetail({ id }: { id: string }) {
  const api = useApi();
  const qc = useQueryClient();
  const base = api.projectPath(`/configs/${id}`);
  const config = useQuery({ queryKey: ['config', base], queryFn: () => api.admin<Config>(base) });
  const [selected, setSelected] = useState<string | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['config', base] });
  const rules = config.data?.rules ?? [];
  const putRules = useMutation({ mutationFn: (body: unknown[]) => api.admin(`${base}/rules`, 'PUT', { rules: body }), onSuccess: refresh });
  const variants = config.data?.variants ?? [];
  const variant = variants.find((v) => v.name === selected) ?? variants[0];
  return (
    <div>
      {config.error && <ErrorNote error={config.error} />}
      <h2>
        {config.data?.name ?? '…'} <code>x-gateway-config: {config.data?.slug}</code>
      </h2>
      <div className="two-col">
        <div>
          <h3>Variants</h3>
          {variants.length ? (
            <ul className="versions" aria-label="Variants">
              {variants.map((v) => (
                <li key={v.id} className={v === variant ? 'selected' : undefined}>
                  <button className="link" onClick={() => setSelected(v.name)}>
                    {v.name}
                  </button>{' '}
                  <span className="muted">
                    v{v.latest?.version ?? '–'} · {v.latest?.model ?? 'the request’s model'}
                  </span>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>No variants yet: add one below.</Empty>
          )}
          <VariantForm key={variants.length} base={base} onSaved={(name) => {
              setSelected(name);
              refresh();
            }} />
        </div>
        <div>
          {variant && <VariantVersions key={variant.id} base={base} variant={variant} rules={rules} onPin={(body) => putRules.mutate(body)} onSaved={refresh} />}
          {putRules.error && <ErrorNote error={putRules.error} />}
        </div>
      </div>
      <RulesEditor key={pretty(rules)} rules={rules} saving={putRules.isPending} onSave={(body) => putRules.mutate(body)} />
    </div>
  );
}

/** Adds a variant (with its version 1), or a new version of `variant` prefilled from its latest. */
function VariantForm({ base, variant, onSaved }: { base: string; variant?: Variant; onSaved: (name: string) => void }) {
  const api = useApi();
  const from = variant?.latest;
  const [name, setName] = useState('');
  const [model, setModel] = useState(from?.model ?? '');
  const [systemPrompt, setSystemPrompt] = useState(from?.system_prompt ?? '');
  const [parameters, setParameters] = useState(from && Object.keys(from.parameters).length ? pretty(from.parameters) : '');
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.admin(variant ? `${base}/variants/${variant.id}/versions` : `${base}/variants`, 'POST', body),
    onSuccess: () => onSaved(variant?.name ?? name),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const f = versionFields(model, parameters);
    if (!f.ok) return setError(f.error);
    setError(null);
    save.mutate({ ...(variant ? {} : { name }), ...f.value, system_prompt: systemPrompt.trim() ? systemPrompt : null });
  };
  const label = variant ? `New version of ${variant.name}` : 'Add a variant';
  return (
    <form className="panel" aria-label={label} onSubmit={submit}>
      <h3>{variant ? `New version of ${variant.name} (rules that follow the latest serve it at once)` : 'Add a variant'}</h3>
      {!variant && <Field label="Variant name" value={name} onChange={(e) => setName(e.target.value)} required pattern="[A-Za-z0-9_.\-]+" />}
      <Field label="Model" value={model} onChange={(e) => setModel(e.target.value)} placeholder="empty: the request's model" />
      <label className="field">
        <span>System prompt (Nunjucks over the body&apos;s input)</span>
        <textarea className="code" rows={3} value={systemPrompt} onChange={(e) => setSystemPrompt(e.target.value)} placeholder="You help {{ name | title }}." spellCheck={false} />
      </label>
      <label className="field">
        <span>Parameters (JSON, optional)</span>
        <textarea className="code" rows={2} value={parameters} onChange={(e) => setParameters(e.target.value)} placeholder='{"temperature": 0.1}' spellCheck={false} />
      </label>
      <button className="primary" type="submit" disabled={save.isPending}>
        {variant ? 'Save version' : 'Add variant'}
      </button>
      {error && <ErrorNote error={error} />}
      {save.error && <ErrorNote error={save.error} />}
    </form>
  );
}

/** A variant's versions; which one the rules serve, and a button to pin the rules to another (deploy / roll back). */
function VariantVersions({ base, variant, rules, onPin, onSaved }: { base: string; variant: Variant; rules: ConfigRule[]; onPin: (rules: unknown[]) => void; onSaved: () => void }) {
  const api = useApi();
  const path = `${base}/variants/${variant.id}/versions`;
  const versions = useQuery({ queryKey: ['config-versions', path, variant.latest?.version], queryFn: () => api.admin<Page<VariantVersion>>(path) });
  const own = rules.filter((r) => r.variant === variant.name);
  const served = new Set(own.map((r) => r.version ?? variant.latest?.version));
  return (
    <div>
      <h3>Versions of {variant.name}</h3>
      <QueryState q={versions} what="versions">
        {({ data }) => (
          <ol className="versions" aria-label="Variant versions">
            {data.map((v) => (
              <li key={v.id}>
                v{v.version} · {v.model ?? 'request’s model'} · {formatTime(v.created_at)}{' '}
                {served.has(v.version) ? (
                  <strong className="ok">served</strong>
                ) : (
                  <button onClick={() => onPin(pinVariant(rules, variant.name, v.version))}>Pin rules to v{v.version}</button>
                )}
                {v.system_prompt && <pre>{v.system_prompt}</pre>}
              </li>
            ))}
          </ol>
        )}
      </QueryState>
      {own.some((r) => r.version !== null) && <button onClick={() => onPin(pinVariant(rules, variant.name, null))}>Follow the latest version</button>}
      <VariantForm key={variant.latest?.id} base={base} variant={variant} onSaved={onSaved} />
    </div>
  );
}

function RulesEditor({ rules, saving, onSave }: { rules: ConfigRule[]; saving: boolean; onSave: (rules: unknown[]) => void }) {
  const [text, setText] = useState(pretty(ruleInputs(rules)));
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="panel"
      aria-label="Targeting rules"
      onSubmit={(e) => {
        e.preventDefault();
        const p = parseRules(text);
        if (!p.ok) return setError(p.error);
        setError(null);
        onSave(p.value);
      }}
    >
      <h3>Targeting rules (replaced as a whole; the highest priority wins, then a weighted split)</h3>
      <textarea className="code" aria-label="Rules" rows={8} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      <button className="primary" type="submit" disabled={saving}>
        Save rules
      </button>
      {error && <ErrorNote error={error} />}
    </form>
  );
}
