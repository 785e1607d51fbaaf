import type { AdminScope, GatewayEventBus } from '@switchyard/auth';
import { DlpProfileEntity, type DlpProfilesRepository, type OrganizationsRepository } from '@switchyard/persistence';
import { newId, notFound, parseOr400 } from '@switchyard/types';
import { requireOrganization } from '../organizations/organization-access';
import { dlpProfileView, type DeletedView, type DlpProfileView } from '../tenancy.views';
import { createDlpProfileSchema, patchDlpProfileSchema } from './dlp-profile.dto';

/**
 * An organization's custom DLP profiles (regular expressions, validated on save), referenced by id from its
 * projects' `dlp` policies. Every change publishes `dlp-profiles.changed` for the routers' cached copies.
 */
export class DlpProfilesService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly profiles: DlpProfilesRepository,
    private readonly events: GatewayEventBus,
  ) {}

  async create(scope: AdminScope, organizationId: string, input: unknown): Promise<DlpProfileView> {
    const dto = parseOr400(createDlpProfileSchema, input);
    await requireOrganization(this.orgs, scope, organizationId);
    const row = Object.assign(new DlpProfileEntity(), {
      id: newId(),
      name: dto.name,
      description: dto.description ?? '',
      patterns: dto.patterns,
      caseSensitive: dto.case_sensitive ?? true,
    });
    return dlpProfileView(await this.saveAndPublish(organizationId, row));
  }

  async list(scope: AdminScope, organizationId: string): Promise<DlpProfileView[]> {
    await requireOrganization(this.orgs, scope, organizationId);
    return (await this.profiles.list(organizationId)).map(dlpProfileView);
  }

  async get(scope: AdminScope, organizationId: string, id: string): Promise<DlpProfileView> {
    return dlpProfileView(await this.require(scope, organizationId, id));
  }

  async patch(scope: AdminScope, organizationId: string, id: string, input: unknown): Promise<DlpProfileView> {
    const patch = parseOr400(patchDlpProfileSchema, input);
    const row = await this.require(scope, organizationId, id);
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.description !== undefined) row.description = patch.description;
    if (patch.patterns !== undefined) row.patterns = patch.patterns;
    if (patch.case_sensitive !== undefined) row.caseSensitive = patch.case_sensitive;
    return dlpProfileView(await this.saveAndPublish(organizationId, row));
  }

  async delete(scope: AdminScope, organizationId: string, id: string): Promise<DeletedView> {
    const row = await this.require(scope, organizationId, id);
    await this.profiles.delete(organizationId, row.id);
    await this.events.publish({ type: 'dlp-profiles.changed', organizationId });
    return { id: row.id, deleted: true };
  }

  /** The ids among `ids` that are not profiles of the organization. */
  async unknownIds(organizationId: string, ids: readonly string[]): Promise<string[]> {
    if (!ids.length) return [];
    const known = new Set((await this.profiles.list(organizationId)).map((p) => p.id));
    return ids.filter((id) => !known.has(id));
  }

  private async require(scope: AdminScope, organizationId: string, id: string): Promise<DlpProfileEntity> {
    await requireOrganization(this.orgs, scope, organizationId);
    const row = await this.profiles.findById(organizationId, id);
    if (!row) throw notFound(`DLP profile '${id}' not found.`, 'dlp_profile_not_found');
    return row;
  }

  private async saveAndPublish(organizationId: string, row: DlpProfileEntity): Promise<DlpProfileEntity> {
    const saved = await this.profiles.save(organizationId, row);
    await this.events.publish({ type: 'dlp-profiles.changed', organizationId });
    return saved;
  }
}
