import { randomBytes } from 'node:crypto';
import type { SecretBox } from '@switchyard/auth';
import { applySettings, ProjectEntity } from '@switchyard/persistence';
import { DEFAULT_PROJECT_SETTINGS, newId } from '@switchyard/types';

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

/** A new project row with the default gateway settings and its webhook secret sealed. */
export function newProject(
  secrets: SecretBox,
  fields: { organizationId: string; slug: string; name: string; isDefault: boolean },
  webhookSecret = newWebhookSecret(),
): ProjectEntity {
  const project = Object.assign(new ProjectEntity(), { id: newId(), ...fields, retentionDays: 30 });
  applySettings(project, DEFAULT_PROJECT_SETTINGS);
  project.webhookSecretSealed = secrets.seal(webhookSecret, project.id);
  return project;
}

/** A slug from a project name (`Support Bot` -> `support-bot`), random when nothing of the name is left. */
export function slugify(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return s || `project-${randomBytes(3).toString('hex')}`;
}
