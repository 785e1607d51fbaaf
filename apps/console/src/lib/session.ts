import { useSyncExternalStore } from 'react';

/**
 * The signed-in credential (the admin token or an organization admin key) and the selected organization and
 * project, in session storage: gone when the tab closes, never in a URL.
 */
export interface Session {
  token: string | null;
  org: string | null;
  project: string | null;
  /** A key for data-plane calls (playground, documents) when signed in with the admin token. */
  dataKey: string | null;
}

const KEY = 'switchyard.console.session';
const listeners = new Set<() => void>();
let current: Session = read();

function read(): Session {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw) return { token: null, org: null, project: null, dataKey: null, ...(JSON.parse(raw) as Partial<Session>) };
  } catch {
    // storage unavailable
  }
  return { token: null, org: null, project: null, dataKey: null };
}

export function updateSession(patch: Partial<Session>): void {
  current = { ...current, ...patch };
  sessionStorage.setItem(KEY, JSON.stringify(current));
  listeners.forEach((l) => l());
}

export function signOut(): void {
  current = { token: null, org: null, project: null, dataKey: null };
  sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

export function useSession(): Session {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
