import { SetMetadata } from '@nestjs/common';

/**
 * Who may call a route (declared on the route, enforced by libs/auth's guard):
 * - `public`: anyone (health, metrics);
 * - `key`: an access key of either scope (the default for every Nest route of the router and documents);
 * - `project-key`: a project-scoped key only (collector ingest);
 * - `project-key-or-admin`: a project key, an organization key with the admin flag (which names the project), or the
 *   admin token (collector queries);
 * - `admin`: the admin token, or an organization key with the admin flag.
 */
export type AuthPolicy = 'public' | 'key' | 'project-key' | 'project-key-or-admin' | 'admin';
/** A policy that needs a credential. */
export type GuardedAuthPolicy = Exclude<AuthPolicy, 'public'>;

/** The route metadata key the guard reads a Nest route's policy from. */
export const AUTH_POLICY_KEY = 'switchyard:auth-policy';

/** Decorators declaring a Nest route's (or controller's) policy; routes that declare none get the app's default. */
const routePolicy = (policy: AuthPolicy) => SetMetadata(AUTH_POLICY_KEY, policy);
export const Public = () => routePolicy('public');
export const AdminOnly = () => routePolicy('admin');
export const ProjectKeyOnly = () => routePolicy('project-key');
export const ProjectKeyOrAdmin = () => routePolicy('project-key-or-admin');
