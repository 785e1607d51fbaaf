import { createParamDecorator, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { AUTH_POLICY_KEY, type AuthPolicy, type GuardedAuthPolicy, type RawRouteAuthenticator, type RequestHeaders } from '@switchyard/http';
import { forbidden, unauthorized, type Principal } from '@switchyard/types';
import { secretsEqual } from './access-key';
import type { AdminScope } from './admin-scope';
import { TenantDirectory } from './tenant-directory';

/** The policy of routes that name none: `key` on router and documents, `project-key` on the collector. */
export const DEFAULT_AUTH_POLICY = Symbol('DEFAULT_AUTH_POLICY');

interface RequestWithPrincipal {
  headers: RequestHeaders;
  principal?: Principal;
}

/** The bearer credential of a request: `Authorization: Bearer …`, or `x-api-key` as SDKs of some providers send it. */
function bearerOf(headers: RequestHeaders): string | null {
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1] ?? null;
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey ? apiKey.trim() : null;
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
    const bearer = bearerOf(headers);
    if (!bearer) throw unauthorized('Missing access key: send it as "Authorization: Bearer <key>".', 'missing_api_key');
    const adminAllowed = policy === 'admin' || policy === 'project-key-or-admin';
    if (adminAllowed && !bearer.startsWith('sy_') && secretsEqual(bearer, this.config.admin.token)) return { kind: 'admin' };
    const principal = await this.directory.authenticate(bearer);
    switch (policy) {
      case 'key':
        return principal;
      case 'project-key':
      case 'project-key-or-admin':
        if (!principal.projectId) throw unauthorized('This endpoint requires a project-scoped access key.', 'project_key_required');
        return principal;
      case 'admin':
        if (!principal.admin || principal.projectId) throw forbidden('This key is not allowed to use the admin API.');
        return principal;
    }
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!principal) throw unauthorized();
  return principal;
});

export function adminScopeOf(principal: Principal): AdminScope {
  return principal.kind === 'admin' ? { kind: 'root' } : { kind: 'organization', organizationId: principal.organizationId };
}
