import { createParamDecorator, Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { forbidden, unauthorized, type Principal } from '@switchyard/types';
import { secretsEqual } from './access-key';
import type { AdminScope } from './admin-scope';
import { TenantDirectory } from './tenant-directory';

/**
 * Who may call a route:
 * - `public`: anyone (health, metrics);
 * - `key`: an access key of either scope (the default for every route);
 * - `project-key`: a project-scoped key only (collector ingest);
 * - `project-key-or-admin`: a project key, or the admin token (collector queries);
 * - `admin`: the admin token, or an organization key with the admin flag.
 */
export type AuthPolicy = 'public' | 'key' | 'project-key' | 'project-key-or-admin' | 'admin';

const AUTH_POLICY = 'switchyard:auth-policy';
/** The policy of routes that name none: `key` on router and documents, `project-key` on the collector. */
export const DEFAULT_AUTH_POLICY = Symbol('DEFAULT_AUTH_POLICY');
export const Public = () => SetMetadata(AUTH_POLICY, 'public' satisfies AuthPolicy);
export const AdminOnly = () => SetMetadata(AUTH_POLICY, 'admin' satisfies AuthPolicy);
export const ProjectKeyOnly = () => SetMetadata(AUTH_POLICY, 'project-key' satisfies AuthPolicy);
export const ProjectKeyOrAdmin = () => SetMetadata(AUTH_POLICY, 'project-key-or-admin' satisfies AuthPolicy);

interface RequestWithPrincipal {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** The bearer credential of a request: `Authorization: Bearer …`, or `x-api-key` as SDKs of some providers send it. */
export function bearerOf(headers: RequestWithPrincipal['headers']): string | null {
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1] ?? null;
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey ? apiKey.trim() : null;
}

@Injectable()
export class GatewayAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly directory: TenantDirectory,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
    @Inject(DEFAULT_AUTH_POLICY) private readonly defaultPolicy: Exclude<AuthPolicy, 'public'>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy =
      this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [context.getHandler(), context.getClass()]) ??
      this.defaultPolicy;
    if (policy === 'public') return true;
    const request = context.switchToHttp().getRequest<RequestWithPrincipal>();
    request.principal = await this.authenticate(policy, bearerOf(request.headers));
    return true;
  }

  async authenticate(policy: Exclude<AuthPolicy, 'public'>, bearer: string | null): Promise<Principal> {
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
