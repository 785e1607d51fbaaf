import type { ProjectView } from '@switchyard/tenancy';
import { invalidRequest } from '@switchyard/types';

/** A project as a Cloudflare gateway: its slug as `id`, every setting, `is_default` and the timestamps. */
export function gatewayOf(project: ProjectView): Record<string, unknown> {
  const { uuid: _uuid, organization_id: _org, name: _name, retention_days: _retention, ...gateway } = project;
  return gateway;
}

/** `search` on a gateway list: a case-insensitive substring of the id. */
export function matchesSearch(project: ProjectView, search: string | undefined): boolean {
  return !search || project.id.includes(search.toLowerCase());
}

/** A gateway body split into the project's slug and its settings (validated by the projects service). */
export function splitGatewayBody(body: unknown): { id: unknown; settings: Record<string, unknown> } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
  const { id, ...settings } = body as Record<string, unknown>;
  return { id, settings };
}
