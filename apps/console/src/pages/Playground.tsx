import { useQuery } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { DataKeyField } from '../components/DataKey';
import { LazyMarkdown } from '../components/LazyMarkdown';
import { ErrorNote } from '../components/States';
import { errorMessage, request } from '../lib/api';
import { createSseReader, type ChatLine } from '../lib/chat';
import { useSession } from '../lib/session';

/** Chat against any model the key can route to, streamed, with the gateway's response headers. */
export default function Playground() {
  const { dataKey, project } = useSession();
  const [model, setModel] = useState('');
  const [input, setInput] = useState('');
  const [messages, setMessages] = useState<ChatLine[]>([]);
  const [headers, setHeaders] = useState<Array<[string, string]>>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const models = useQuery({
    queryKey: ['models', dataKey, project],
    enabled: !!dataKey,
    queryFn: () => request<{ data: Array<{ id: string }> }>('/v1/models', dataKey!, { headers: { 'x-gateway-project': project ?? 'default' } }),
  });
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!dataKey || !input.trim() || !model.trim()) return;
    const history = [...messages, { role: 'user', text: input.trim() }];
    setMessages([...history, { role: 'assistant', text: '' }]);
    setInput('');
    setError(null);
    setBusy(true);
    abort.current = new AbortController();
    try {
      const res = await fetch('/v1/chat/completions', {
        method: 'POST',
        signal: abort.current.signal,
        headers: { authorization: `Bearer ${dataKey}`, 'content-type': 'application/json', 'x-gateway-project': project ?? 'default', 'x-gateway-metadata': JSON.stringify({ source: 'console-playground' }) },
        body: JSON.stringify({ model: model.trim(), stream: true, messages: history.map((m) => ({ role: m.role, content: m.text })) }),
      });
      setHeaders([...res.headers.entries()].filter(([k]) => k.startsWith('x-gateway') || k.startsWith('x-ratelimit') || k === 'x-request-id'));
      if (!res.ok || !res.body) {
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        throw new Error(errorMessage(res.status, body).message);
      }
      const read = createSseReader();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const { deltas } = read(value);
        if (deltas.length) {
          text += deltas.join('');
          setMessages([...history, { role: 'assistant', text }]);
        }
      }
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError')) setError(err);
      setMessages(history);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="pg-title">
      <div className="page-head">
        <h1 id="pg-title">Playground</h1>
        <button onClick={() => setMessages([])} disabled={busy}>
          New chat
        </button>
      </div>
      <DataKeyField />
      {!dataKey && (
        <p className="muted">
          Paste an access key of this organization (<Link to="/keys">create one</Link>): the playground calls <code>/v1/chat/completions</code> with it.
        </p>
      )}
      <label>
        Model{' '}
        <input list="models" value={model} onChange={(e) => setModel(e.target.value)} placeholder="gpt-4o-mini, @connection/model, dynamic/route" aria-label="Model" />
        <datalist id="models">
          {models.data?.data.map((m) => (
            <option key={m.id} value={m.id} />
          ))}
        </datalist>
      </label>
      <ol className="chat playground-chat" aria-live="polite" aria-label="Conversation">
        {messages.map((m, i) => (
          <li key={i} className={`bubble ${m.role}`}>
            <span className="role">{m.role}</span>
            <span className="text">{m.role === 'assistant' && m.text ? <LazyMarkdown source={m.text} /> : m.text || (busy ? '…' : '')}</span>
          </li>
        ))}
      </ol>
      {error !== null && <ErrorNote error={error} />}
      <form className="composer" onSubmit={(e) => void send(e)}>
        <textarea
          aria-label="Message"
          value={input}
          rows={3}
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
          placeholder="Say something (Enter sends, Shift+Enter for a new line)"
        />
        {busy ? (
          <button type="button" onClick={() => abort.current?.abort()}>
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={!dataKey || !model.trim() || !input.trim()}>
            Send
          </button>
        )}
      </form>
      {headers.length > 0 && (
        <>
          <h2>Response headers</h2>
          <dl className="facts" role="region" aria-label="Response headers">
            {headers.map(([k, v]) => (
              <div key={k} className="fact">
                <dt>{k}</dt>
                <dd>{k === 'x-gateway-log-id' ? <Link to={`/logs/${v}`}>{v}</Link> : <code>{v}</code>}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </section>
  );
}
