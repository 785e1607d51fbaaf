import { Injectable } from '@nestjs/common';
import { TenantDirectory, type ProjectSnapshot } from '@switchyard/auth';
import { invalidRequest, type Principal } from '@switchyard/types';

/**
 * The project a query acts on: a project key's own, or for the admin token `?project=<org-uuid>/<slug>`,
 * resolved through the TenantDirectory like every other lookup (cached; 404 when there is no such
 * project, 503 while PostgreSQL is unreachable).
 */
@Injectable()
export class ProjectScope {
  constructor(private readonly directory: TenantDirectory) {}

  async projectIdOf(principal: Principal, project: string | undefined): Promise<string> {
    if (principal.kind === 'key') return principal.projectId!;
    return (await this.named(project)).id;
  }

  /** The whole project (organization, settings) a request acts on. */
  async projectOf(principal: Principal, project: string | undefined): Promise<ProjectSnapshot> {
    if (principal.kind === 'key') return this.directory.projectById(principal.organizationId, principal.projectId!);
    return this.named(project);
  }

  private named(project: string | undefined): Promise<ProjectSnapshot> {
    const m = /^([0-9a-f-]{36})\/([a-z0-9-]{1,64})$/i.exec(project ?? '');
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
