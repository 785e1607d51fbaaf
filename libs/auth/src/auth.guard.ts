import { createParamDecorator, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { AUTH_POLICY_KEY, type AuthPolicy, type GuardedAuthPolicy, type RawRouteAuthenticator, type RequestHeaders } from '@switchyard/http';
import { forbidden, GatewayError, invalidRequest, isUuid, unauthorized, type KeyLimits, type Principal } from '@switchyard/types';
import { ACCESS_KEY_PREFIX, secretsEqual } from './access-key';
import type { AdminScope } from './admin-scope';
import { TenantDirectory, type ProjectSnapshot } from './tenant-directory';

/** The policy of routes that name none: `key` on router and documents, `project-key` on the collector. */
export const DEFAULT_AUTH_POLICY = Symbol('DEFAULT_AUTH_POLICY');

interface RequestWithPrincipal {
  headers: RequestHeaders;
  principal?: Principal;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The bearer credential of a request: `Authorization: Bearer …`, or `x-api-key` as SDKs of some providers send it.
 * On the data plane Cloudflare's `cf-aig-authorization: Bearer …` comes first: a client sending it may carry a
 * provider's key in `Authorization`, which the gateway does not use (credentials are the organization's connections).
 */
function bearerOf(headers: RequestHeaders, dataPlane: boolean): string | null {
  if (dataPlane) {
    const cf = headers['cf-aig-authorization'];
    if (typeof cf === 'string') return BEARER.exec(cf)?.[1] ?? null;
  }
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    return BEARER.exec(auth)?.[1] ?? null;
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey ? apiKey.trim() : null;
}

/** The provider headers a client may put its provider key in (the native paths' clients: OpenAI, Anthropic, Gemini, Azure SDKs). */
const PROVIDER_KEY_HEADERS = ['authorization', 'x-api-key', 'x-goog-api-key', 'api-key'] as const;

/** The gateway key of a provider-native call: `cf-aig-authorization`, else an access key of ours in a provider key header. */
function gatewayKeyOfProviderCall(headers: RequestHeaders): string | null {
  const cf = headers['cf-aig-authorization'];
  if (typeof cf === 'string') return BEARER.exec(cf)?.[1] ?? null;
  for (const name of PROVIDER_KEY_HEADERS) {
    const value = headers[name];
    if (typeof value !== 'string') continue;
    const key = (name === 'authorization' ? BEARER.exec(value)?.[1] : value)?.trim();
    if (key?.startsWith(ACCESS_KEY_PREFIX)) return key;
  }
  return null;
}

/**
 * Every route is guarded here: Nest routes through `canActivate` (the policy from the route's metadata,
 * else the app's default; the principal is set on the request for `@CurrentPrincipal()`), raw routes
 * through RawRoutes, which calls `authenticate` with the policy given at `add()` and hands the principal
 * to the route's handler.
 */
@Injectable()
export class GatewayAuthGuard implements CanActivate, RawRouteAuthenticator {
  constructor(
    private readonly reflector: Reflector,
    private readonly directory: TenantDirectory,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    @Inject(DEFAULT_AUTH_POLICY) private readonly defaultPolicy: GuardedAuthPolicy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy =
      this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY_KEY, [context.getHandler(), context.getClass()]) ??
      this.defaultPolicy;
    if (policy === 'public') return true;
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    request.principal = await this.authenticate(policy, request.headers);
    return true;
  }

  async authenticate(policy: GuardedAuthPolicy, headers: RequestHeaders): Promise<Principal> {
    const bearer = bearerOf(headers, policy === 'key' || policy === 'project-key');
    if (!bearer) throw missingKey();
    const adminAllowed = policy === 'admin' || policy === 'project-key-or-admin';
    if (adminAllowed && !bearer.startsWith('sy_') && secretsEqual(bearer, this.config.admin.token)) return { kind: 'admin' };
    const principal = await this.directory.authenticate(bearer);
    switch (policy) {
      case 'key':
        return principal;
      case 'project-key':
        if (!principal.projectId) throw unauthorized('This endpoint requires a project-scoped access key.', 'project_key_required');
        return principal;
      case 'project-key-or-admin':
        // An organization key with `admin` names its project per request (the collector's ProjectScope).
        if (!principal.projectId && !principal.admin) {
          throw unauthorized('This endpoint requires a project-scoped access key, an organization key with admin, or the admin token.', 'project_key_required');
        }
        return principal;
      case 'admin':
        if (!principal.admin || principal.projectId) throw forbidden('This key is not allowed to use the admin API.');
        return principal;
    }
  }

  /**
   * The caller of a Cloudflare gateway path (`/v1/{account_id}/{gateway_id}/…`): the key sent (`cf-aig-authorization`
   * or `Authorization`), which must belong to the account and, for a project key, to the gateway (else 403), acting on
   * that gateway's project; or, without any key, nobody, when the gateway has `authentication: false` (else 401, as
   * for a gateway that does not exist, so that its existence is not revealed to callers without a key).
   * `providerNative`: a call on a provider's own path, whose `Authorization` / `x-api-key` / `x-goog-api-key` /
   * `api-key` carry the client's provider key (never used, never checked): the gateway key is `cf-aig-authorization`,
   * or one of those headers only when it holds an access key of ours (`sy_…`).
   */
  async gatewayCaller(headers: RequestHeaders, account: string, gateway: string, providerNative = false): Promise<GatewayCaller> {
    const asked = headers['x-gateway-project'];
    if (typeof asked === 'string' && asked.trim() && asked.trim() !== gateway) {
      throw invalidRequest(`x-gateway-project ('${asked.trim()}') names another project than the gateway in the path ('${gateway}').`, 'x-gateway-project');
    }
    const bearer = providerNative ? gatewayKeyOfProviderCall(headers) : bearerOf(headers, true);
    if (bearer) {
      const principal = await this.directory.authenticate(bearer);
      if (principal.organizationId !== account) throw forbidden(`This key cannot act on account '${account}'.`, 'account_mismatch');
      const project = principal.projectId ? await this.directory.projectFor(principal, gateway) : await this.directory.projectBySlug(account, gateway, 'gateway_id');
      return { kind: 'gateway', keyId: principal.keyId, organizationId: account, limits: principal.limits ?? null, project };
    }
    const open = isUuid(account) ? await this.directory.projectBySlug(account, gateway, 'gateway_id').catch(notFoundAsNull) : null;
    if (!open || open.settings.authentication !== false) throw missingKey();
    return { kind: 'gateway', keyId: null, organizationId: account, limits: null, project: open };
  }
}

/**
 * A call on a Cloudflare gateway path: its project is the gateway's; `keyId` is the key sent, or null on a gateway
 * without authentication. (The pipeline takes it as its caller, like a key's principal.)
 */
export interface GatewayCaller {
  kind: 'gateway';
  keyId: string | null;
  organizationId: string;
  limits: KeyLimits | null;
  project: ProjectSnapshot;
}

const missingKey = () => unauthorized('Missing access key: send it as "Authorization: Bearer <key>" (or "cf-aig-authorization: Bearer <key>").', 'missing_api_key');

const notFoundAsNull = (err: unknown): null => {
  if (err instanceof GatewayError && err.status === 404) return null;
  throw err;
};

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!principal) throw unauthorized();
  return principal;
});

export function adminScopeOf(principal: Principal): AdminScope {
  return principal.kind === 'admin' ? { kind: 'root' } : { kind: 'organization', organizationId: principal.organizationId };
}
