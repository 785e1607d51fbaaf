import { useSession } from './session';

/** An API error with the API's own message (OpenAI shape, or Cloudflare's `errors[]`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The message of an error body in any of the gateway's error shapes. */
export function errorMessage(status: number, body: unknown): { message: string; code: string | null } {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const err = b['error'] as Record<string, unknown> | undefined;
    if (err && typeof err === 'object' && typeof err['message'] === 'string') return { message: err['message'], code: typeof err['code'] === 'string' ? err['code'] : null };
    const errors = b['errors'] as Array<{ message?: string }> | undefined;
    if (Array.isArray(errors) && errors[0]?.message) return { message: errors[0].message, code: null };
    if (typeof b['message'] === 'string') return { message: b['message'], code: null };
  }
  return { message: `The request failed with HTTP ${status}.`, code: null };
}

export interface Endpoints {
  collector_url: string;
  documents_url: string;
}

let endpoints: Promise<Endpoints> | undefined;
/** Where the collector and the documents service are (served by the router from its configuration). */
export function loadEndpoints(): Promise<Endpoints> {
  endpoints ??= fetch('/console/config.json').then((r) => r.json() as Promise<Endpoints>);
  return endpoints;
}

export async function request<T>(url: string, token: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  if (init.body && typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers });
  } catch {
    throw new ApiError(0, `Could not reach ${new URL(url, location.href).origin}: is the service running, and does it allow this origin (CORS)?`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  if (!res.ok) {
    const { message, code } = errorMessage(res.status, body);
    throw new ApiError(res.status, message, code);
  }
  return body as T;
}

/** Calls bound to the signed-in credential and the selected organization and project. */
export function useApi() {
  const { token, org, project } = useSession();
  const t = token ?? '';
  const json = (method: string, body?: unknown): RequestInit => ({ method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return {
    org,
    project,
    admin: <T>(path: string, method = 'GET', body?: unknown) => request<T>(`/v1/admin${path}`, t, json(method, body)),
    projectPath: (suffix = '') => `/organizations/${org}/projects/${project}${suffix}`,
    /**
     * The collector's query API: an organization admin key names the project as on the router (`x-gateway-project`),
     * the admin token with `?project=<org>/<slug>`.
     */
    collector: async <T>(path: string, method = 'GET', body?: unknown) => {
      const { collector_url } = await loadEndpoints();
      const sep = path.includes('?') ? '&' : '?';
      if (t.startsWith('sy_')) return request<T>(`${collector_url}${path}`, t, { ...json(method, body), headers: { 'x-gateway-project': project ?? 'default' } });
      return request<T>(`${collector_url}${path}${sep}project=${encodeURIComponent(`${org}/${project}`)}`, t, json(method, body));
    },
    documents: async <T>(path: string, key: string, init: RequestInit = {}) => {
      const { documents_url } = await loadEndpoints();
      return request<T>(`${documents_url}${path}`, key, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), 'x-gateway-project': project ?? 'default' } });
    },
  };
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
