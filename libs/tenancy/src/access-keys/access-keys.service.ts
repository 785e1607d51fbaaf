import { generateAccessKey, type AdminScope, type GatewayEventBus } from '@switchyard/auth';
import { AccessKeyEntity, type AccessKeysRepository, type OrganizationsRepository, type ProjectsRepository } from '@switchyard/persistence';
import { invalidRequest, newId, notFound, parseOr400 } from '@switchyard/types';
import { listedOrganization, requireOrganization } from '../organizations/organization-access';
import { findProject } from '../projects/project-ref';
import { accessKeyView, type AccessKeyView, type CreatedAccessKeyView } from '../tenancy.views';
import { createAccessKeySchema, patchAccessKeySchema, type PatchAccessKeyDto } from './access-key.dto';

/** Access keys: organization- or project-scoped, shown once, stored as a hash; revocation is published to every process. */
export class AccessKeysService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly projects: ProjectsRepository,
    private readonly keys: AccessKeysRepository,
    private readonly events: GatewayEventBus,
  ) {}

  async create(scope: AdminScope, input: unknown): Promise<CreatedAccessKeyView> {
    const dto = parseOr400(createAccessKeySchema, input);
    await requireOrganization(this.orgs, scope, dto.organization_id);
    let projectId: string | null = null;
    if (dto.project_id) {
      const project = await findProject(this.projects, dto.organization_id, dto.project_id);
      if (!project) throw notFound(`Project '${dto.project_id}' does not exist in this organization.`, 'project_not_found', 'project_id');
      if (dto.admin) throw invalidRequest('Only organization-scoped keys can be admin keys.', 'admin');
      projectId = project.id;
    }
    const expiresAt = dto.expires_at ? new Date(dto.expires_at) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw invalidRequest('expires_at must be in the future.', 'expires_at');
    const generated = generateAccessKey();
    const row = Object.assign(new AccessKeyEntity(), {
      id: newId(),
      projectId,
      name: dto.name,
      keyHash: generated.hash,
      preview: generated.preview,
      admin: dto.admin ?? false,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
    });
    applyLimits(row, dto);
    await this.keys.insert(dto.organization_id, row);
    const saved = await this.keys.findById(dto.organization_id, row.id);
    return { ...accessKeyView(saved ?? row), key: generated.key };
  }

  /** The keys of the named organization (an admin key's own when none is named). */
  async list(scope: AdminScope, organizationId: string | undefined, includeRevoked = false): Promise<AccessKeyView[]> {
    const org = await requireOrganization(this.orgs, scope, listedOrganization(scope, organizationId));
    return (await this.keys.list(org.id, { includeRevoked })).map(accessKeyView);
  }

  /** Changes a key's name or limits; every process drops its cached copy of the key. */
  async patch(scope: AdminScope, keyId: string, input: unknown): Promise<AccessKeyView> {
    const dto = parseOr400(patchAccessKeySchema, input);
    const { orgId, existing } = await this.find(scope, keyId);
    if (dto.name !== undefined) existing.name = dto.name;
    applyLimits(existing, dto);
    await this.keys.save(orgId, existing);
    await this.events.publish({ type: 'key.changed', keyHash: existing.keyHash });
    return accessKeyView(existing);
  }

  /** A key by id, within the scope's reach: the admin token reaches every organization's keys. */
  async find(scope: AdminScope, keyId: string): Promise<{ orgId: string; existing: AccessKeyEntity }> {
    const orgId = scope.kind === 'organization' ? scope.organizationId : await this.keys.organizationOf(keyId);
    const existing = orgId ? await this.keys.findById(orgId, keyId) : null;
    if (!orgId || !existing) throw notFound(`Access key '${keyId}' not found.`, 'access_key_not_found');
    return { orgId, existing };
  }

  /** Revokes a key by id. Org admins reach only their own organization's keys. */
  async revoke(scope: AdminScope, keyId: string): Promise<AccessKeyView> {
    const { orgId, existing } = await this.find(scope, keyId);
    if (await this.keys.revoke(orgId, keyId)) await this.events.publish({ type: 'key.revoked', keyHash: existing.keyHash });
    return accessKeyView((await this.keys.findById(orgId, keyId)) ?? existing);
  }
}

/** The limit fields present in a create or PATCH body, onto the row (null clears). */
function applyLimits(row: AccessKeyEntity, dto: Omit<PatchAccessKeyDto, 'name'>): void {
  if (dto.rpm_limit !== undefined) row.rpmLimit = dto.rpm_limit;
  if (dto.tpm_limit !== undefined) row.tpmLimit = dto.tpm_limit;
  if (dto.max_parallel_requests !== undefined) row.maxParallelRequests = dto.max_parallel_requests;
  if (dto.max_budget !== undefined) row.maxBudget = dto.max_budget;
  if (dto.budget_duration !== undefined) row.budgetDuration = dto.budget_duration;
  if (dto.models !== undefined) row.models = dto.models;
}
