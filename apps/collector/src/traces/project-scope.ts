import { createParamDecorator, Injectable, type ExecutionContext } from '@nestjs/common';
import { TenantDirectory, type ProjectSnapshot } from '@switchyard/auth';
import { forbidden, invalidRequest, type KeyPrincipal, type Principal } from '@switchyard/types';

/** The project a query names: `?project=<organization-id>/<slug>` and/or `x-gateway-project: <slug>` (as on the router). */
export interface AskedProject {
  query?: string;
  header?: string;
}

/** `@AskedProject()`: the project named by the request's `?project=` and `x-gateway-project`. */
export const AskedProject = createParamDecorator((_: unknown, ctx: ExecutionContext): AskedProject => {
  const req = ctx.switchToHttp().getRequest<{ query?: Record<string, unknown>; headers: Record<string, unknown> }>();
  const query = req.query?.['project'];
  const header = req.headers['x-gateway-project'];
  return { query: typeof query === 'string' ? query : undefined, header: typeof header === 'string' && header.trim() ? header.trim() : undefined };
});

const ORG_SLASH_SLUG = /^([0-9a-f-]{36})\/([a-z0-9-]{1,64})$/i;

/**
 * The project a query acts on: a project key's own; for an organization key with `admin`, the project of its
 * organization named by `x-gateway-project` (or `?project=<org>/<slug>`; another organization is a 403; none named:
 * the default project); for the admin token `?project=<org-uuid>/<slug>`. Resolved through the TenantDirectory like
 * every other lookup (cached; 404 when there is no such project, 503 while PostgreSQL is unreachable).
 */
@Injectable()
export class ProjectScope {
  constructor(private readonly directory: TenantDirectory) {}

  async projectIdOf(principal: Principal, asked: AskedProject): Promise<string> {
    if (principal.kind === 'key' && principal.projectId) return principal.projectId;
    return (await this.projectOf(principal, asked)).id;
  }

  /** The whole project (organization, settings) a request acts on. */
  async projectOf(principal: Principal, asked: AskedProject): Promise<ProjectSnapshot> {
    if (principal.kind === 'admin') return this.named(asked.query);
    if (principal.projectId) return this.directory.projectById(principal.organizationId, principal.projectId);
    return this.ofOrganization(principal, asked);
  }

  private ofOrganization(principal: KeyPrincipal, asked: AskedProject): Promise<ProjectSnapshot> {
    let slug = asked.header ?? null;
    if (asked.query !== undefined) {
      const m = ORG_SLASH_SLUG.exec(asked.query);
      if (!m) throw invalidRequest('?project must be <organization-id>/<project-slug>; an organization key can name its project with x-gateway-project instead.', 'project');
      if (m[1]!.toLowerCase() !== principal.organizationId.toLowerCase()) {
        throw forbidden(`This key cannot act on organization '${m[1]}'.`, 'organization_mismatch');
      }
      if (slug && slug !== m[2]) throw invalidRequest(`x-gateway-project ('${slug}') names another project than ?project ('${m[2]}').`, 'x-gateway-project');
      slug = m[2]!;
    }
    return this.directory.projectFor(principal, slug);
  }

  private named(project: string | undefined): Promise<ProjectSnapshot> {
    const m = ORG_SLASH_SLUG.exec(project ?? '');
    if (!m) throw invalidRequest('The admin token must name a project: ?project=<organization-id>/<project-slug>.', 'project');
    return this.directory.projectBySlug(m[1]!.toLowerCase(), m[2]!);
  }
}

/** Opaque cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, valid: (v: unknown) => v is T): T | undefined {
  if (!cursor) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (valid(v)) return v;
  } catch {
    // fall through
  }
  throw invalidRequest('Invalid cursor.', 'cursor');
}
