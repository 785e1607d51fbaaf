import type { KeyLimits } from './limits';

/** Who is calling: resolved once per request by the auth guard, passed first to every service. */
export interface KeyPrincipal {
  kind: 'key';
  keyId: string;
  organizationId: string;
  /** Set for project-scoped keys; org keys pick a project per request. */
  projectId: string | null;
  admin: boolean;
  /** The key's limits (rpm, tpm, parallel, budget, models); null or absent when it has none. */
  limits?: KeyLimits | null;
}

export interface AdminPrincipal {
  kind: 'admin';
}

export type Principal = KeyPrincipal | AdminPrincipal;

/** A key principal narrowed to one project (after `x-gateway-project` or the default project). */
export interface ProjectContext {
  organizationId: string;
  projectId: string;
  projectSlug: string;
  keyId: string | null;
}
