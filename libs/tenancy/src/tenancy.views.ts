import {
  settingsOf,
  type AccessKeyEntity,
  type ConnectionEntity,
  type DlpProfileEntity,
  type DynamicRouteDeploymentEntity,
  type DynamicRouteEntity,
  type DynamicRouteVersionEntity,
  type OrganizationEntity,
  type ProjectEntity,
} from '@switchyard/persistence';

/** What the admin API answers: rows mapped to these views here, and nowhere else. */
export interface OrganizationView {
  id: string;
  name: string;
  default_project_id: string;
  quotas: { monthly_requests: number | null; monthly_spend: number | null };
  created_at: string;
}

/** A project; its public `id` is its slug (`uuid` is the internal id, still accepted wherever a project is named). */
export interface ProjectView {
  id: string;
  uuid: string;
  organization_id: string;
  name: string;
  is_default: boolean;
  retention_days: number;
  created_at: string;
  modified_at: string;
  [setting: string]: unknown;
}

/** A project as created or after a rotation of its webhook secret: the only answers that show the secret. */
export type ProjectWithSecretView = ProjectView & { webhook_secret: string };

export interface AccessKeyView {
  id: string;
  organization_id: string;
  project_id: string | null;
  name: string;
  preview: string;
  admin: boolean;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_parallel_requests: number | null;
  max_budget: number | null;
  budget_duration: string | null;
  models: string[] | null;
}

/** A key as created: the only answer that shows the key itself. */
export type CreatedAccessKeyView = AccessKeyView & { key: string };

export interface ConnectionView {
  id: string;
  organization_id: string;
  provider: string;
  name: string;
  slug: string;
  secret_preview: string;
  base_url: string | null;
  is_default: boolean;
  rate_limit: number | null;
  rate_limit_period: number | null;
  created_at: string;
  modified_at: string;
}

export interface DeletedView {
  id: string;
  deleted: true;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function organizationView(o: OrganizationEntity, defaultProjectId: string): OrganizationView {
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

export function accessKeyView(k: AccessKeyEntity): AccessKeyView {
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
    rpm_limit: k.rpmLimit ?? null,
    tpm_limit: k.tpmLimit ?? null,
    max_parallel_requests: k.maxParallelRequests ?? null,
    max_budget: k.maxBudget ?? null,
    budget_duration: k.budgetDuration ?? null,
    models: k.models ?? null,
  };
}

export function connectionView(c: ConnectionEntity): ConnectionView {
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

export interface DlpProfileView {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  patterns: string[];
  case_sensitive: boolean;
  created_at: string;
  modified_at: string;
}

export function dlpProfileView(p: DlpProfileEntity): DlpProfileView {
  return {
    id: p.id,
    organization_id: p.organizationId,
    name: p.name,
    description: p.description,
    patterns: p.patterns,
    case_sensitive: p.caseSensitive,
    created_at: p.createdAt.toISOString(),
    modified_at: p.modifiedAt.toISOString(),
  };
}

/** A dynamic route; `elements` is the live version's document (absent in lists). */
export interface RouteView {
  id: string;
  name: string;
  deployed_version_id: string | null;
  elements?: unknown[];
  created_at: string;
  modified_at: string;
}

export function routeView(r: DynamicRouteEntity, live: { elements: unknown[] } | null): RouteView {
  return {
    id: r.id,
    name: r.name,
    deployed_version_id: r.deployedVersionId,
    ...(live ? { elements: live.elements } : {}),
    created_at: r.createdAt.toISOString(),
    modified_at: r.modifiedAt.toISOString(),
  };
}

/** A route version as Cloudflare answers it: `active` is the string "true" or "false", `data` the document as a JSON string. */
export interface RouteVersionView {
  version_id: string;
  route_id: string;
  active: 'true' | 'false';
  created_at: string;
  data: string;
}

export function routeVersionView(v: DynamicRouteVersionEntity, route: DynamicRouteEntity): RouteVersionView {
  return {
    version_id: v.id,
    route_id: v.routeId,
    active: route.deployedVersionId === v.id ? 'true' : 'false',
    created_at: v.createdAt.toISOString(),
    data: JSON.stringify(v.data),
  };
}

export interface RouteDeploymentView {
  deployment_id: string;
  version_id: string;
  created_at: string;
}

export function routeDeploymentView(d: DynamicRouteDeploymentEntity): RouteDeploymentView {
  return { deployment_id: d.id, version_id: d.versionId, created_at: d.createdAt.toISOString() };
}
