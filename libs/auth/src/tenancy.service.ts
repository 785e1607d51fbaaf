import { randomBytes } from 'node:crypto';
import {
  AccessKeyEntity,
  type AccessKeysRepository,
  applySettings,
  ConnectionEntity,
  type ConnectionsRepository,
  OrganizationEntity,
  type OrganizationsRepository,
  ProjectEntity,
  type ProjectsRepository,
  settingsOf,
} from '@switchyard/persistence';
import {
  conflict,
  credentialsSchemaFor,
  DEFAULT_PROJECT_SETTINGS,
  forbidden,
  invalidRequest,
  newId,
  normalizeProviderId,
  notFound,
  primarySecretOf,
  projectPatchSchema,
  zodToGatewayError,
  type ProviderId,
} from '@switchyard/types';
import { generateAccessKey } from './access-key';
import type { GatewayEventBus } from './events';
import { previewSecret, type SecretBox } from './secret-box';
import {
  createAccessKeySchema,
  createConnectionSchema,
  createOrganizationSchema,
  createProjectSchema,
  patchConnectionSchema,
  type AccessKeyView,
  type ConnectionView,
  type OrganizationView,
  type ProjectView,
} from './tenancy.dto';

/** Who may administer what: the admin token (everything) or an org key with `admin` (its organization). */
export type AdminScope = { kind: 'root' } | { kind: 'organization'; organizationId: string };

/**
 * Organizations, projects, access keys and connections: the rules behind the admin API and the CLI.
 * Every change publishes the event that makes other processes drop their cached copies.
 */
export class TenancyService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly projects: ProjectsRepository,
    private readonly keys: AccessKeysRepository,
    private readonly connections: ConnectionsRepository,
    private readonly secrets: SecretBox,
    private readonly events: GatewayEventBus,
  ) {}

  async createOrganization(scope: AdminScope, input: unknown): Promise<OrganizationView> {
    if (scope.kind !== 'root') throw forbidden('Only the admin token can create organizations.');
    const dto = parse(createOrganizationSchema, input);
    const org = Object.assign(new OrganizationEntity(), {
      id: newId(),
      name: dto.name,
      quotaMonthlyRequests: dto.quotas?.monthly_requests ?? null,
      quotaMonthlySpendUsd: dto.quotas?.monthly_spend ?? null,
    });
    const project = this.newProject(org.id, 'default', 'Default', true);
    await this.orgs.createWithDefaultProject(org, project);
    const saved = await this.orgs.findById(org.id);
    return organizationView(saved ?? org, project.id);
  }

  async createProject(scope: AdminScope, organizationId: string, input: unknown): Promise<{ project: ProjectView; webhook_secret: string }> {
    await this.requireOrg(scope, organizationId);
    const dto = parse(createProjectSchema, input);
    const slug = dto.id ?? slugify(dto.name);
    if (await this.projects.findBySlug(organizationId, slug)) throw conflict(`Project '${slug}' already exists.`, 'project_exists', 'id');
    const webhookSecret = newWebhookSecret();
    const project = this.newProject(organizationId, slug, dto.name, false, webhookSecret);
    await this.projects.insert(organizationId, project);
    const saved = await this.requireProject(organizationId, slug);
    return { project: projectView(saved), webhook_secret: webhookSecret };
  }

  async listProjects(scope: AdminScope, organizationId: string): Promise<ProjectView[]> {
    await this.requireOrg(scope, organizationId);
    return (await this.projects.list(organizationId)).map(projectView);
  }

  async getProject(scope: AdminScope, organizationId: string, slug: string): Promise<ProjectView> {
    await this.requireOrg(scope, organizationId);
    return projectView(await this.requireProject(organizationId, slug));
  }

  async patchProject(scope: AdminScope, organizationId: string, slug: string, input: unknown): Promise<ProjectView> {
    await this.requireOrg(scope, organizationId);
    const patch = parse(projectPatchSchema, input);
    const project = await this.requireProject(organizationId, slug);
    const { name, retention_days, ...settings } = patch;
    if (name !== undefined) project.name = name;
    if (retention_days !== undefined) project.retentionDays = retention_days;
    applySettings(project, settings);
    const saved = await this.projects.save(organizationId, project);
    await this.events.publish({ type: 'project.changed', organizationId, projectId: project.id });
    return projectView(saved);
  }

  async rotateWebhookSecret(scope: AdminScope, organizationId: string, slug: string): Promise<{ webhook_secret: string }> {
    await this.requireOrg(scope, organizationId);
    const project = await this.requireProject(organizationId, slug);
    const secret = newWebhookSecret();
    project.webhookSecretSealed = this.secrets.seal(secret, project.id);
    await this.projects.save(organizationId, project);
    await this.events.publish({ type: 'project.changed', organizationId, projectId: project.id });
    return { webhook_secret: secret };
  }

  /** The project's webhook signing secret, opened (for the documents service only; never returned by the API). */
  async webhookSecretOf(organizationId: string, projectId: string): Promise<string> {
    const project = await this.projects.findById(organizationId, projectId);
    if (!project) throw notFound('Project not found.', 'project_not_found');
    return this.secrets.open(project.webhookSecretSealed, project.id);
  }

  async createAccessKey(scope: AdminScope, input: unknown): Promise<AccessKeyView & { key: string }> {
    const dto = parse(createAccessKeySchema, input);
    await this.requireOrg(scope, dto.organization_id);
    if (dto.project_id) {
      const project = await this.projects.findById(dto.organization_id, dto.project_id);
      if (!project) throw notFound(`Project '${dto.project_id}' does not exist in this organization.`, 'project_not_found', 'project_id');
      if (dto.admin) throw invalidRequest('Only organization-scoped keys can be admin keys.', 'admin');
    }
    const expiresAt = dto.expires_at ? new Date(dto.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw invalidRequest('expires_at must be in the future.', 'expires_at');
    const generated = generateAccessKey();
    const row = Object.assign(new AccessKeyEntity(), {
      id: newId(),
      projectId: dto.project_id ?? null,
      name: dto.name,
      keyHash: generated.hash,
      preview: generated.preview,
      admin: dto.admin ?? false,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
    });
    await this.keys.insert(dto.organization_id, row);
    const saved = await this.keys.findById(dto.organization_id, row.id);
    return { ...accessKeyView(saved ?? row), key: generated.key };
  }

  async listAccessKeys(scope: AdminScope, organizationId: string, includeRevoked = false): Promise<AccessKeyView[]> {
    await this.requireOrg(scope, organizationId);
    return (await this.keys.list(organizationId, { includeRevoked })).map(accessKeyView);
  }

  /** Revokes a key by id. Org admins reach only their own organization's keys. */
  async revokeAccessKey(scope: AdminScope, keyId: string): Promise<AccessKeyView> {
    const orgId = scope.kind === 'organization' ? scope.organizationId : await this.keys.organizationOf(keyId);
    const existing = orgId ? await this.keys.findById(orgId, keyId) : null;
    if (!orgId || !existing) throw notFound(`Access key '${keyId}' not found.`, 'access_key_not_found');
    if (await this.keys.revoke(orgId, keyId)) await this.events.publish({ type: 'key.revoked', keyHash: existing.keyHash });
    return accessKeyView((await this.keys.findById(orgId, keyId)) ?? existing);
  }

  async createConnection(scope: AdminScope, input: unknown): Promise<ConnectionView> {
    const dto = parse(createConnectionSchema, input);
    await this.requireOrg(scope, dto.organization_id);
    const provider = normalizeProviderId(dto.provider) as ProviderId;
    const credentials = parse(credentialsSchemaFor(provider), dto.credentials, 'credentials');
    if (await this.connections.findBySlug(dto.organization_id, dto.slug)) {
      throw conflict(`A connection with slug '${dto.slug}' already exists.`, 'connection_exists', 'slug');
    }
    const row = new ConnectionEntity();
    Object.assign(row, {
      id: newId(),
      provider,
      name: dto.name,
      slug: dto.slug,
      baseUrl: dto.base_url ?? null,
      isDefault: dto.is_default ?? false,
      rateLimit: dto.rate_limit ?? null,
      rateLimitPeriod: dto.rate_limit_period ?? null,
    });
    this.sealCredentials(row, credentials);
    const saved = await this.connections.save(dto.organization_id, row);
    await this.events.publish({ type: 'connections.changed', organizationId: dto.organization_id });
    return connectionView(saved);
  }

  async listConnections(scope: AdminScope, organizationId: string): Promise<ConnectionView[]> {
    await this.requireOrg(scope, organizationId);
    return (await this.connections.list(organizationId)).map(connectionView);
  }

  async getConnection(scope: AdminScope, id: string): Promise<ConnectionView> {
    return connectionView(await this.findConnection(scope, id));
  }

  async patchConnection(scope: AdminScope, id: string, input: unknown): Promise<ConnectionView> {
    const patch = parse(patchConnectionSchema, input);
    const row = await this.findConnection(scope, id);
    if (patch.slug !== undefined && patch.slug !== row.slug && (await this.connections.findBySlug(row.organizationId, patch.slug))) {
      throw conflict(`A connection with slug '${patch.slug}' already exists.`, 'connection_exists', 'slug');
    }
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.slug !== undefined) row.slug = patch.slug;
    if (patch.base_url !== undefined) row.baseUrl = patch.base_url;
    if (patch.is_default !== undefined) row.isDefault = patch.is_default;
    if (patch.rate_limit !== undefined) row.rateLimit = patch.rate_limit;
    if (patch.rate_limit_period !== undefined) row.rateLimitPeriod = patch.rate_limit_period;
    if (patch.credentials !== undefined) {
      const provider = normalizeProviderId(row.provider) as ProviderId;
      this.sealCredentials(row, parse(credentialsSchemaFor(provider), patch.credentials, 'credentials'));
    }
    const saved = await this.connections.save(row.organizationId, row);
    await this.events.publish({ type: 'connections.changed', organizationId: row.organizationId });
    return connectionView(saved);
  }

  async deleteConnection(scope: AdminScope, id: string): Promise<{ id: string; deleted: true }> {
    const row = await this.findConnection(scope, id);
    await this.connections.delete(row.organizationId, row.id);
    await this.events.publish({ type: 'connections.changed', organizationId: row.organizationId });
    return { id: row.id, deleted: true };
  }

  /** Re-seals every secret under the current master key; returns how many were re-sealed. */
  async resealSecrets(): Promise<number> {
    let count = 0;
    for (const row of await this.connections.listAllForRotation()) {
      if (row.credentialsKeyId === this.secrets.currentKeyId) continue;
      this.sealCredentials(row, JSON.parse(this.secrets.open(row.credentialsSealed, row.id)) as Record<string, unknown>);
      await this.connections.save(row.organizationId, row);
      count += 1;
    }
    for (const org of await this.orgs.list()) {
      for (const project of await this.projects.list(org.id)) {
        const keyId = project.webhookSecretSealed.split('.')[1];
        if (keyId === this.secrets.currentKeyId) continue;
        project.webhookSecretSealed = this.secrets.seal(this.secrets.open(project.webhookSecretSealed, project.id), project.id);
        await this.projects.save(org.id, project);
        count += 1;
      }
    }
    return count;
  }

  private sealCredentials(row: ConnectionEntity, credentials: Record<string, unknown>): void {
    row.credentialsSealed = this.secrets.seal(JSON.stringify(credentials), row.id);
    row.credentialsKeyId = this.secrets.currentKeyId;
    row.secretPreview = previewSecret(primarySecretOf(credentials));
  }

  private async findConnection(scope: AdminScope, id: string): Promise<ConnectionEntity> {
    const orgId = scope.kind === 'organization' ? scope.organizationId : await this.connections.organizationOf(id);
    const row = orgId ? await this.connections.findById(orgId, id) : null;
    if (!row) throw notFound(`Connection '${id}' not found.`, 'connection_not_found');
    return row;
  }

  private async requireOrg(scope: AdminScope, organizationId: string): Promise<OrganizationEntity> {
    if (scope.kind === 'organization' && scope.organizationId !== organizationId) {
      throw forbidden('This key administers another organization.');
    }
    const org = await this.orgs.findById(organizationId);
    if (!org) throw notFound(`Organization '${organizationId}' not found.`, 'organization_not_found', 'organization_id');
    return org;
  }

  private async requireProject(organizationId: string, slug: string): Promise<ProjectEntity> {
    const project = await this.projects.findBySlug(organizationId, slug);
    if (!project) throw notFound(`Project '${slug}' not found.`, 'project_not_found');
    return project;
  }

  private newProject(organizationId: string, slug: string, name: string, isDefault: boolean, webhookSecret = newWebhookSecret()): ProjectEntity {
    const project = Object.assign(new ProjectEntity(), { id: newId(), organizationId, slug, name, isDefault, retentionDays: 30 });
    applySettings(project, DEFAULT_PROJECT_SETTINGS);
    project.webhookSecretSealed = this.secrets.seal(webhookSecret, project.id);
    return project;
  }
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, input: unknown, prefix = ''): T {
  const result = schema.safeParse(input ?? {});
  if (!result.success) throw zodToGatewayError(result.error, prefix);
  return result.data;
}

const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

function slugify(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return s || `project-${randomBytes(3).toString('hex')}`;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function organizationView(o: OrganizationEntity, defaultProjectId: string): OrganizationView {
  return {
    id: o.id,
    name: o.name,
    default_project_id: defaultProjectId,
    quotas: { monthly_requests: o.quotaMonthlyRequests, monthly_spend: o.quotaMonthlySpendUsd },
    created_at: o.createdAt?.toISOString() ?? new Date().toISOString(),
  };
}

export function projectView(p: ProjectEntity): ProjectView {
  return {
    id: p.slug,
    uuid: p.id,
    organization_id: p.organizationId,
    name: p.name,
    is_default: p.isDefault,
    retention_days: p.retentionDays,
    ...settingsOf(p),
    created_at: p.createdAt.toISOString(),
    modified_at: p.modifiedAt.toISOString(),
  };
}

function accessKeyView(k: AccessKeyEntity): AccessKeyView {
  return {
    id: k.id,
    organization_id: k.organizationId,
    project_id: k.projectId,
    name: k.name,
    preview: k.preview,
    admin: k.admin,
    expires_at: iso(k.expiresAt),
    revoked_at: iso(k.revokedAt),
    last_used_at: iso(k.lastUsedAt),
    created_at: k.createdAt.toISOString(),
  };
}

function connectionView(c: ConnectionEntity): ConnectionView {
  return {
    id: c.id,
    organization_id: c.organizationId,
    provider: c.provider,
    name: c.name,
    slug: c.slug,
    secret_preview: c.secretPreview,
    base_url: c.baseUrl,
    is_default: c.isDefault,
    rate_limit: c.rateLimit,
    rate_limit_period: c.rateLimitPeriod,
    created_at: c.createdAt.toISOString(),
    modified_at: c.modifiedAt.toISOString(),
  };
}
