import { Logger } from '@nestjs/common';
import {
  isDatabaseUnavailable,
  type AccessKeysRepository,
  type ConnectionsRepository,
  type ProjectsRepository,
  settingsOf,
  type AccessKeyEntity,
  type ConnectionEntity,
  type ProjectEntity,
} from '@switchyard/persistence';
import {
  forbidden,
  isUuid,
  normalizeProviderId,
  notFound,
  serviceUnavailable,
  unauthorized,
  type KeyLimits,
  type KeyPrincipal,
  type OrganizationQuotas,
  type ProjectSettings,
  type SpendRule,
  type ProviderCredentials,
} from '@switchyard/types';
import { digestsEqual, hashAccessKey, isWellFormedAccessKey } from './access-key';
import type { GatewayEvent, GatewayEventBus } from './events';
import type { SecretBox } from './secret-box';
import { TtlCache } from './ttl-cache';

export interface ProjectSnapshot {
  id: string;
  organizationId: string;
  slug: string;
  name: string;
  retentionDays: number;
  settings: ProjectSettings;
  /** When the project last changed (ms since the epoch): a generation number for what must not outlive a change (the cache's `cache_invalidate_on_update`). */
  version?: number;
  /** The project's spend-limit rules (empty: none). */
  spendRules: SpendRule[];
  /** Its organization's monthly quotas (null: none known). */
  quotas: OrganizationQuotas | null;
}

/** A connection as the routing layer uses it: credentials opened (typed by provider), in memory only. */
export type ResolvedConnection = ProviderCredentials & {
  id: string;
  organizationId: string;
  slug: string;
  name: string;
  baseUrl: string | null;
  /** The base URL was set by the operator, so it may be private; absent or false: every upstream connection checks it after DNS. */
  baseUrlTrusted?: boolean;
  isDefault: boolean;
  rateLimit: number | null;
  rateLimitPeriod: number | null;
};

/** How long a project name found missing is answered 404 from memory (at most the cache TTL), and how many such names are held. */
const NEGATIVE_TTL_MS = 5_000;
const NEGATIVE_MAX_ENTRIES = 10_000;

interface KeyEntry {
  principal: KeyPrincipal;
  keyHash: string;
  expiresAt: number | null;
  revoked: boolean;
}

/**
 * The hot-path view of tenants: keys, projects and connections cached in memory, evicted by
 * GatewayEvents from any process, expiring within the cache TTL, dropped whole on resync.
 * Concurrent misses for one entry share a single database query. Stale-if-error: when PostgreSQL
 * cannot be reached, an expired key or project entry is served as last known (an evicted one, e.g.
 * a revoked key, is gone and never comes back this way); with nothing known the lookup is a 503.
 */
export class TenantDirectory {
  private readonly logger = new Logger('TenantDirectory');
  private readonly keys: TtlCache<string, KeyEntry>;
  private readonly projects: TtlCache<string, ProjectSnapshot>;
  /**
   * Project names found missing (`{org}:slug:{slug}`), for NEGATIVE_TTL_MS: a keyless call to a gateway that does not
   * exist (Cloudflare paths) answers from memory instead of querying PostgreSQL each time; evicted with the projects.
   */
  private readonly missingProjects: TtlCache<string, true>;
  private readonly connections: TtlCache<string, ResolvedConnection[]>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly usedKeys = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly keysRepo: AccessKeysRepository,
    private readonly projectsRepo: ProjectsRepository,
    private readonly connectionsRepo: ConnectionsRepository,
    private readonly secrets: SecretBox,
    events: GatewayEventBus,
    cacheTtlMs: number,
    /** With an expired entry at hand, how long to wait for PostgreSQL before serving it (AUTH_STALE_AFTER_MS). */
    private readonly staleAfterMs = 500,
    private readonly usageFlushMs = 10_000,
  ) {
    this.keys = new TtlCache(cacheTtlMs);
    this.projects = new TtlCache(cacheTtlMs);
    this.missingProjects = new TtlCache(Math.min(cacheTtlMs, NEGATIVE_TTL_MS), NEGATIVE_MAX_ENTRIES);
    this.connections = new TtlCache(cacheTtlMs);
    events.onEvent((e) => this.evict(e));
    events.onResync(() => this.clear());
  }

  /** Resolves a bearer key to its principal, or throws 401. No database round trip when cached. */
  async authenticate(rawKey: string, now = Date.now()): Promise<KeyPrincipal> {
    if (!isWellFormedAccessKey(rawKey)) throw unauthorized();
    const hash = hashAccessKey(rawKey);
    let entry = this.keys.get(hash, now);
    if (!entry) entry = await this.once(`key:${hash}`, () => this.staleIfError(this.keys, hash, () => this.loadKey(hash)));
    if (!entry || entry.revoked || !digestsEqual(entry.keyHash, hash)) throw unauthorized();
    if (entry.expiresAt !== null && entry.expiresAt <= now) throw unauthorized('This access key has expired.', 'expired_api_key');
    this.markUsed(entry.principal.keyId);
    return entry.principal;
  }

  /** The project a request acts on: the key's own, or (org keys) the named or default project. */
  async projectFor(principal: KeyPrincipal, requestedSlug?: string | null): Promise<ProjectSnapshot> {
    const slug = requestedSlug?.trim() || null;
    if (principal.projectId) {
      const project = await this.projectById(principal.organizationId, principal.projectId);
      if (slug && slug !== project.slug && slug !== project.id) {
        throw forbidden(`This key is scoped to project '${project.slug}' and cannot act on '${slug}'.`, 'project_mismatch');
      }
      return project;
    }
    return this.projectBySlug(principal.organizationId, slug, 'x-gateway-project');
  }

  /** An organization's project by slug or UUID (null: its default project); 404 naming `param` when there is none, 503 when PostgreSQL is down. */
  async projectBySlug(organizationId: string, slug: string | null, param = 'project'): Promise<ProjectSnapshot> {
    const cacheKey = `${organizationId}:slug:${slug ?? ''}`;
    const cached = this.projects.get(cacheKey);
    if (cached) return cached;
    const missing = () => notFound(`Project '${slug ?? 'default'}' does not exist in this organization.`, 'project_not_found', param);
    if (this.missingProjects.get(cacheKey)) throw missing();
    return this.once(cacheKey, () =>
      this.staleIfError(this.projects, cacheKey, async () => {
        // A project is named by its slug; its UUID is accepted too (callers that stored it).
        const row = !slug
          ? await this.projectsRepo.findDefault(organizationId)
          : ((await this.projectsRepo.findBySlug(organizationId, slug)) ?? (isUuid(slug) ? await this.projectsRepo.findById(organizationId, slug) : null));
        if (!row) {
          this.missingProjects.set(cacheKey, true);
          throw missing();
        }
        const snap = snapshot(row, await this.projectsRepo.quotasOf(organizationId));
        this.projects.set(cacheKey, snap);
        return snap;
      }),
    );
  }

  async projectById(organizationId: string, projectId: string): Promise<ProjectSnapshot> {
    const cacheKey = `${organizationId}:id:${projectId}`;
    const cached = this.projects.get(cacheKey);
    if (cached) return cached;
    return this.once(cacheKey, () =>
      this.staleIfError(this.projects, cacheKey, async () => {
        const row = await this.projectsRepo.findById(organizationId, projectId);
        if (!row) throw unauthorized();
        const snap = snapshot(row, await this.projectsRepo.quotasOf(organizationId));
        this.projects.set(cacheKey, snap);
        return snap;
      }),
    );
  }

  /** Every connection of an organization with credentials opened. */
  async connectionsOf(organizationId: string): Promise<ResolvedConnection[]> {
    const cached = this.connections.get(organizationId);
    if (cached) return cached;
    return this.once(`conn:${organizationId}`, async () => {
      const rows = await this.connectionsRepo.list(organizationId);
      const resolved = rows.flatMap((row) => {
        try {
          return [this.resolveConnection(row)];
        } catch (err) {
          this.logger.error(`connection ${row.id} could not be opened: ${(err as Error).message}`);
          return [];
        }
      });
      this.connections.set(organizationId, resolved);
      return resolved;
    });
  }

  evict(event: GatewayEvent): void {
    switch (event.type) {
      case 'key.revoked':
      case 'key.changed':
        this.keys.delete(event.keyHash);
        break;
      case 'project.changed':
        this.projects.deleteWhere((k) => k.startsWith(`${event.organizationId}:`));
        // A project created under a name found missing is found at once.
        this.missingProjects.deleteWhere((k) => k.startsWith(`${event.organizationId}:`));
        // Its keys are read again: a deleted project's keys (deleted with it) stop at once, on every replica.
        this.keys.deleteWhere((_, v) => v.principal.projectId === event.projectId);
        break;
      case 'connections.changed':
        this.connections.delete(event.organizationId);
        break;
      case 'organization.changed':
        this.projects.deleteWhere((k) => k.startsWith(`${event.organizationId}:`));
        this.missingProjects.deleteWhere((k) => k.startsWith(`${event.organizationId}:`));
        this.connections.delete(event.organizationId);
        this.keys.deleteWhere((_, v) => v.principal.organizationId === event.organizationId);
        break;
      case 'dlp-profiles.changed':
      case 'routes.changed':
      case 'configs.changed':
      case 'prompts.changed':
      case 'load-balance-groups.changed':
        // Held by the routers' DLP profile, dynamic route, config, prompt and load-balance group directories (libs/routing), not here.
        break;
    }
  }

  clear(): void {
    this.keys.clear();
    this.projects.clear();
    this.missingProjects.clear();
    this.connections.clear();
  }

  /** Writes `last_used_at` for keys used since the last flush, in one statement. */
  async flushUsage(): Promise<void> {
    if (!this.usedKeys.size) return;
    const ids = [...this.usedKeys];
    this.usedKeys.clear();
    try {
      await this.keysRepo.touch(ids, new Date());
    } catch (err) {
      for (const id of ids) this.usedKeys.add(id);
      this.logger.warn(`could not record key usage: ${(err as Error).message}`);
    }
  }

  startUsageFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setInterval(() => void this.flushUsage(), this.usageFlushMs);
    this.flushTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = undefined;
    await this.flushUsage();
  }

  private markUsed(keyId: string): void {
    this.usedKeys.add(keyId);
  }

  private async loadKey(hash: string): Promise<KeyEntry | undefined> {
    const row = await this.keysRepo.findByHash(hash);
    if (!row) return undefined;
    const entry: KeyEntry = {
      principal: { kind: 'key', keyId: row.id, organizationId: row.organizationId, projectId: row.projectId, admin: row.admin, limits: keyLimitsOf(row) },
      keyHash: row.keyHash,
      expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
      revoked: row.revokedAt !== null,
    };
    this.keys.set(hash, entry);
    return entry;
  }

  private resolveConnection(row: ConnectionEntity): ResolvedConnection {
    const provider = normalizeProviderId(row.provider);
    if (!provider) throw new Error(`unknown provider '${row.provider}'`);
    return {
      id: row.id,
      organizationId: row.organizationId,
      provider,
      slug: row.slug,
      name: row.name,
      baseUrl: row.baseUrl,
      baseUrlTrusted: row.baseUrlTrusted,
      isDefault: row.isDefault,
      // Validated against the provider's credential schema when the connection was saved.
      credentials: JSON.parse(this.secrets.open(row.credentialsSealed, row.id)) as never,
      rateLimit: row.rateLimit,
      rateLimitPeriod: row.rateLimitPeriod,
    } as ResolvedConnection;
  }

  /**
   * Runs a cache loader; when PostgreSQL is unreachable, serves the expired entry still held for
   * `key` (evicted entries are not held), else answers 503 so clients retry. Unreachable includes
   * silent: with an expired entry at hand, a load that has not answered within `staleAfterMs` (a
   * partition that forwards nothing) is left to finish in the background and the entry is served.
   */
  private async staleIfError<V>(cache: TtlCache<string, V>, key: string, load: () => Promise<V>): Promise<V> {
    try {
      const loading = load();
      if (cache.getStale(key) === undefined) return await loading;
      let timer: NodeJS.Timeout | undefined;
      const slow = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DatabaseTimeout(this.staleAfterMs)), this.staleAfterMs);
      });
      loading.catch(() => undefined); // a late failure after the stale answer is not unhandled
      return await Promise.race([loading, slow]).finally(() => clearTimeout(timer));
    } catch (err) {
      if (!(err instanceof DatabaseTimeout) && !isDatabaseUnavailable(err)) throw err;
      const stale = cache.getStale(key);
      if (stale === undefined) throw serviceUnavailable('The tenant database is unreachable; retry later.', 'database_unavailable');
      this.logger.warn(`PostgreSQL unreachable (${(err as Error).message}); serving the last known entry`);
      return stale;
    }
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    const pending = this.inflight.get(key) as Promise<T> | undefined;
    if (pending) return pending;
    const p = load().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}

/** A key's limits, or null when it has none (so the hot path tests one field). */
export function keyLimitsOf(row: AccessKeyEntity): KeyLimits | null {
  const limits: KeyLimits = {
    rpmLimit: row.rpmLimit ?? null,
    tpmLimit: row.tpmLimit ?? null,
    maxParallelRequests: row.maxParallelRequests ?? null,
    maxBudget: row.maxBudget ?? null,
    budgetDuration: row.budgetDuration ?? null,
    models: row.models ?? null,
  };
  return Object.values(limits).some((v) => v !== null) ? limits : null;
}

function snapshot(row: ProjectEntity, quotas: OrganizationQuotas | null): ProjectSnapshot {
  return {
    id: row.id,
    organizationId: row.organizationId,
    slug: row.slug,
    name: row.name,
    retentionDays: row.retentionDays,
    settings: settingsOf(row),
    version: row.modifiedAt?.getTime() ?? 0,
    spendRules: row.spendRules ?? [],
    quotas,
  };
}

/** PostgreSQL did not answer a cache refresh in time (the connection may be open but forwarding nothing). */
class DatabaseTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'DatabaseTimeout';
  }
}
