import { previewSecret, type AdminScope, type GatewayEventBus, type SecretBox } from '@switchyard/auth';
import { ConnectionEntity, type ConnectionsRepository, type OrganizationsRepository } from '@switchyard/persistence';
import { conflict, credentialsSchemaFor, newId, normalizeProviderId, notFound, primarySecretOf, type ProviderId, parseOr400 } from '@switchyard/types';
import { listedOrganization, requireOrganization } from '../organizations/organization-access';
import { connectionView, type ConnectionView, type DeletedView } from '../tenancy.views';
import { baseUrlTrustedFor, requireAllowedBaseUrl } from './base-url-policy';
import { createConnectionSchema, patchConnectionSchema } from './connection.dto';

/**
 * Provider connections (BYOK): credentials validated per provider and sealed at rest; answers show a
 * preview only. Every change publishes `connections.changed` for the cached copies.
 */
export class ConnectionsService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly connections: ConnectionsRepository,
    private readonly secrets: SecretBox,
    private readonly events: GatewayEventBus,
    /** CONNECTIONS_ALLOW_PRIVATE_BASE_URLS: organization admin keys may set private base URLs too. */
    private readonly allowPrivateBaseUrls = false,
  ) {}

  async create(scope: AdminScope, input: unknown): Promise<ConnectionView> {
    const dto = parseOr400(createConnectionSchema, input);
    await requireOrganization(this.orgs, scope, dto.organization_id);
    const provider = normalizeProviderId(dto.provider) as ProviderId;
    const credentials = parseOr400(credentialsSchemaFor(provider), dto.credentials, 'credentials');
    await requireAllowedBaseUrl(scope, dto.base_url, this.allowPrivateBaseUrls);
    await this.requireFreeSlug(dto.organization_id, dto.slug);
    const row = Object.assign(new ConnectionEntity(), {
      id: newId(),
      provider,
      name: dto.name,
      slug: dto.slug,
      baseUrl: dto.base_url ?? null,
      baseUrlTrusted: baseUrlTrustedFor(scope),
      isDefault: dto.is_default ?? false,
      rateLimit: dto.rate_limit ?? null,
      rateLimitPeriod: dto.rate_limit_period ?? null,
    });
    this.sealCredentials(row, credentials);
    return connectionView(await this.saveAndPublish(dto.organization_id, row));
  }

  /** The connections of the named organization (an admin key's own when none is named). */
  async list(scope: AdminScope, organizationId: string | undefined): Promise<ConnectionView[]> {
    const org = await requireOrganization(this.orgs, scope, listedOrganization(scope, organizationId));
    return (await this.connections.list(org.id)).map(connectionView);
  }

  async get(scope: AdminScope, id: string): Promise<ConnectionView> {
    return connectionView(await this.require(scope, id));
  }

  async patch(scope: AdminScope, id: string, input: unknown): Promise<ConnectionView> {
    const patch = parseOr400(patchConnectionSchema, input);
    const row = await this.require(scope, id);
    if (patch.slug !== undefined && patch.slug !== row.slug) await this.requireFreeSlug(row.organizationId, patch.slug);
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.slug !== undefined) row.slug = patch.slug;
    if (patch.base_url !== undefined) {
      await requireAllowedBaseUrl(scope, patch.base_url, this.allowPrivateBaseUrls);
      row.baseUrl = patch.base_url;
      row.baseUrlTrusted = baseUrlTrustedFor(scope);
    }
    if (patch.is_default !== undefined) row.isDefault = patch.is_default;
    if (patch.rate_limit !== undefined) row.rateLimit = patch.rate_limit;
    if (patch.rate_limit_period !== undefined) row.rateLimitPeriod = patch.rate_limit_period;
    if (patch.credentials !== undefined) {
      const provider = normalizeProviderId(row.provider) as ProviderId;
      this.sealCredentials(row, parseOr400(credentialsSchemaFor(provider), patch.credentials, 'credentials'));
    }
    return connectionView(await this.saveAndPublish(row.organizationId, row));
  }

  async delete(scope: AdminScope, id: string): Promise<DeletedView> {
    const row = await this.require(scope, id);
    await this.connections.delete(row.organizationId, row.id);
    await this.events.publish({ type: 'connections.changed', organizationId: row.organizationId });
    return { id: row.id, deleted: true };
  }

  /** Re-seals every connection's credentials not sealed under the current master key; returns how many. */
  async resealCredentials(): Promise<number> {
    let count = 0;
    for (const row of await this.connections.listAllForRotation()) {
      if (row.credentialsKeyId === this.secrets.currentKeyId) continue;
      this.sealCredentials(row, JSON.parse(this.secrets.open(row.credentialsSealed, row.id)) as Record<string, unknown>);
      await this.connections.save(row.organizationId, row);
      count += 1;
    }
    return count;
  }

  private sealCredentials(row: ConnectionEntity, credentials: Record<string, unknown>): void {
    row.credentialsSealed = this.secrets.seal(JSON.stringify(credentials), row.id);
    row.credentialsKeyId = this.secrets.currentKeyId;
    row.secretPreview = previewSecret(primarySecretOf(credentials));
  }

  private async requireFreeSlug(organizationId: string, slug: string): Promise<void> {
    if (await this.connections.findBySlug(organizationId, slug)) {
      throw conflict(`A connection with slug '${slug}' already exists.`, 'connection_exists', 'slug');
    }
  }

  private async require(scope: AdminScope, id: string): Promise<ConnectionEntity> {
    const orgId = scope.kind === 'organization' ? scope.organizationId : await this.connections.organizationOf(id);
    const row = orgId ? await this.connections.findById(orgId, id) : null;
    if (!row) throw notFound(`Connection '${id}' not found.`, 'connection_not_found');
    return row;
  }

  private async saveAndPublish(organizationId: string, row: ConnectionEntity): Promise<ConnectionEntity> {
    const saved = await this.connections.save(organizationId, row);
    await this.events.publish({ type: 'connections.changed', organizationId });
    return saved;
  }
}
