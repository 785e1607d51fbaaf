import { ProviderStreamError, UnsupportedParameterError } from '../types';

/** The fetch subset the token exchange needs (injectable so tests point it at a mock token endpoint). */
export type TokenFetch = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string },
) => Promise<{ status: number; text(): Promise<string> }>;

interface ServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';

export function parseServiceAccount(raw: unknown): ServiceAccount {
  let sa: unknown = raw;
  if (typeof raw === 'string') {
    try {
      sa = JSON.parse(raw);
    } catch {
      throw new UnsupportedParameterError('model', 'The Vertex connection has a service_account_json that is not JSON.');
    }
  }
  const s = sa as Partial<ServiceAccount> | null;
  if (!s || typeof s.client_email !== 'string' || typeof s.private_key !== 'string') {
    throw new UnsupportedParameterError('model', 'The Vertex connection service account needs client_email and private_key.');
  }
  return s as ServiceAccount;
}

/** An access-token error (the token endpoint refused the service account): surfaces as an auth failure. */
export class VertexAuthError extends ProviderStreamError {
  constructor(message: string, status: number) {
    super(message, status, 'vertex_token_exchange');
    this.name = 'VertexAuthError';
  }
}

/**
 * Service-account JWT (RS256, signed with jose) exchanged for an OAuth access token at the account's
 * `token_uri`, cached per account until a minute before it expires; concurrent callers share one exchange.
 */
export class VertexTokenSource {
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly fetchFn: TokenFetch = (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(15_000) }),
    private readonly now: () => number = Date.now,
  ) {}

  async token(serviceAccount: unknown): Promise<string> {
    const sa = parseServiceAccount(serviceAccount);
    const tokenUri = sa.token_uri ?? DEFAULT_TOKEN_URI;
    const key = `${sa.client_email}|${sa.private_key_id ?? ''}|${tokenUri}`;
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt - 60_000 > this.now()) return hit.token;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = this.exchange(sa, tokenUri, key).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async exchange(sa: ServiceAccount, tokenUri: string, key: string): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    let assertion: string;
    try {
      // jose is loaded on the first token exchange: processes without a Vertex connection never pay for it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { importPKCS8, SignJWT } = require('jose') as typeof import('jose');
      const pk = await importPKCS8(sa.private_key, 'RS256');
      assertion = await new SignJWT({ scope: SCOPE })
        .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(sa.private_key_id ? { kid: sa.private_key_id } : {}) })
        .setIssuer(sa.client_email)
        .setSubject(sa.client_email)
        .setAudience(tokenUri)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 3600)
        .sign(pk);
    } catch {
      throw new VertexAuthError('The Vertex service account private_key could not be used to sign a token request.', 401);
    }
    const res = await this.fetchFn(tokenUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
    });
    const text = await res.text();
    let json: { access_token?: string; expires_in?: number; error?: string; error_description?: string } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      /* handled below */
    }
    if (res.status !== 200 || !json.access_token) {
      const status = res.status === 400 || res.status === 401 || res.status === 403 ? 401 : res.status >= 500 ? 503 : 401;
      throw new VertexAuthError(`Google refused the Vertex service account token (${res.status}${json.error ? ` ${json.error}` : ''}).`, status);
    }
    this.cache.set(key, { token: json.access_token, expiresAt: this.now() + (json.expires_in ?? 3600) * 1000 });
    return json.access_token;
  }
}
