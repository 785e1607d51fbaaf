import { Injectable } from '@nestjs/common';
import { ProjectsRepository } from '@switchyard/persistence';
import { invalidRequest, notFound, type Principal } from '@switchyard/types';

/** The project a query acts on: a project key's own, or for the admin token `?project=<org-uuid>/<slug>`. */
@Injectable()
export class ProjectScope {
  constructor(private readonly projects: ProjectsRepository) {}

  async projectIdOf(principal: Principal, project: string | undefined): Promise<string> {
    if (principal.kind === 'key') return principal.projectId!;
    const m = /^([0-9a-f-]{36})\/([a-z0-9-]{1,64})$/i.exec(project ?? '');
    if (!m) throw invalidRequest('The admin token must name a project: ?project=<organization-id>/<project-slug>.', 'project');
    const row = await this.projects.findBySlug(m[1]!.toLowerCase(), m[2]!).catch(() => null);
    if (!row) throw notFound(`Project '${project}' does not exist.`, 'project_not_found', 'project');
    return row.id;
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
