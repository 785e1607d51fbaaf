import type { Principal } from '@switchyard/types';
import type { GuardedAuthPolicy } from '../route-auth/auth-policy';

/** A request's headers as Node and Fastify hand them over. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * How RawRoutes checks a caller against a route's policy: the credential in the headers, to a Principal
 * or a thrown 401/403/503. libs/auth's guard implements it (this lib does not depend on auth).
 */
export interface RawRouteAuthenticator {
  authenticate(policy: GuardedAuthPolicy, headers: RequestHeaders): Promise<Principal>;
}

/** The DI token of the app's RawRouteAuthenticator, from which the app factory builds its RawRoutes. */
export const RAW_ROUTE_AUTHENTICATOR = Symbol('RAW_ROUTE_AUTHENTICATOR');
