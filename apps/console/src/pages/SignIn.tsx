import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/States';
import { request, type Page } from '../lib/api';
import { updateSession } from '../lib/session';

/**
 * Sign-in with the admin token or an organization key created with `admin: true`, checked by listing the
 * organizations it administers (any other key is a 403 there, and the API's message is shown).
 */
export function SignIn() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const orgs = await request<Page<{ id: string }>>('/v1/admin/organizations', token.trim());
      const first = orgs.data[0]?.id ?? null;
      updateSession({ token: token.trim(), org: first, project: first ? 'default' : null, dataKey: token.trim().startsWith('sy_') ? token.trim() : null });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="signin-title">
        <h1 id="signin-title">Switchyard console</h1>
        <p className="muted">Sign in with the admin token (GATEWAY_ADMIN_TOKEN) or an organization admin key. It is kept in this tab&apos;s session storage only.</p>
        <label htmlFor="token">Admin token or key</label>
        <input id="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required autoFocus />
        {error && <ErrorNote error={error} />}
        <button type="submit" className="primary" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
