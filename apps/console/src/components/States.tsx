import type { ReactNode } from 'react';

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** Loading, error or the content of a query. */
export function QueryState<T>({ q, what, children }: { q: { isPending: boolean; error: unknown; data: T | undefined }; what: string; children: (data: T) => ReactNode }) {
  if (q.error) return <ErrorNote error={q.error} />;
  if (q.isPending || q.data === undefined) return <Loading what={what} />;
  return <>{children(q.data)}</>;
}
