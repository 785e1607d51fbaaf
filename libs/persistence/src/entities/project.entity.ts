import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { GATEWAY_STORED_KEYS, type GatewayStoredFields, type ProjectSettings, type SpendRule } from '@switchyard/types';

@Entity({ name: 'projects' })
export class ProjectEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'organization_id' })
  organizationId!: string;

  /** The gateway id of the Cloudflare API: unique within the organization. */
  @Column('text')
  slug!: string;

  @Column('text')
  name!: string;

  @Column('boolean', { name: 'is_default', default: false })
  isDefault!: boolean;

  @Column('integer', { name: 'retention_days', default: 30 })
  retentionDays!: number;

  /** Sealed with the master key (see SecretBox). */
  @Column('text', { name: 'webhook_secret_sealed' })
  webhookSecretSealed!: string;

  @Column('integer', { name: 'cache_ttl' })
  cacheTtl!: number;

  @Column('boolean', { name: 'cache_invalidate_on_update' })
  cacheInvalidateOnUpdate!: boolean;

  @Column('boolean', { name: 'collect_logs' })
  collectLogs!: boolean;

  @Column('integer', { name: 'rate_limiting_interval' })
  rateLimitingInterval!: number;

  @Column('integer', { name: 'rate_limiting_limit' })
  rateLimitingLimit!: number;

  @Column('text', { name: 'rate_limiting_technique' })
  rateLimitingTechnique!: ProjectSettings['rate_limiting_technique'];

  @Column('boolean')
  authentication!: boolean;

  @Column('jsonb', { nullable: true })
  dlp!: ProjectSettings['dlp'];

  @Column('integer', { name: 'log_management', nullable: true })
  logManagement!: number | null;

  @Column('text', { name: 'log_management_strategy', nullable: true })
  logManagementStrategy!: ProjectSettings['log_management_strategy'];

  @Column('jsonb')
  otel!: ProjectSettings['otel'];

  @Column('text', { name: 'retry_backoff' })
  retryBackoff!: ProjectSettings['retry_backoff'];

  @Column('integer', { name: 'retry_delay' })
  retryDelay!: number;

  @Column('integer', { name: 'retry_max_attempts' })
  retryMaxAttempts!: number;

  @Column('boolean')
  zdr!: boolean;

  @Column('boolean', { name: 'rate_limits_fail_open', default: true })
  rateLimitsFailOpen!: boolean;

  @Column('boolean', { name: 'budgets_fail_open', default: false })
  budgetsFailOpen!: boolean;

  @Column('jsonb', { name: 'circuit_breaker', nullable: true })
  circuitBreaker!: ProjectSettings['circuit_breaker'];

  /** The gateway fields stored and returned only (see GatewayStoredFields in libs/types). */
  @Column('jsonb', { name: 'gateway_stored', default: () => "'{}'::jsonb" })
  gatewayStored!: GatewayStoredFields;

  /** Spend-limit rules (at most 20), edited through the admin API's spend-rule routes. */
  @Column('jsonb', { name: 'spend_rules', default: () => "'[]'::jsonb" })
  spendRules!: SpendRule[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'modified_at', type: 'timestamptz' })
  modifiedAt!: Date;
}

/** Column view of settings <-> the API's snake_case settings object. */
export function settingsOf(p: ProjectEntity): ProjectSettings {
  return {
    cache_ttl: p.cacheTtl,
    cache_invalidate_on_update: p.cacheInvalidateOnUpdate,
    collect_logs: p.collectLogs,
    rate_limiting_interval: p.rateLimitingInterval,
    rate_limiting_limit: p.rateLimitingLimit,
    rate_limiting_technique: p.rateLimitingTechnique,
    authentication: p.authentication,
    dlp: p.dlp,
    log_management: p.logManagement,
    log_management_strategy: p.logManagementStrategy,
    otel: p.otel,
    retry_backoff: p.retryBackoff,
    retry_delay: p.retryDelay,
    retry_max_attempts: p.retryMaxAttempts,
    zdr: p.zdr,
    rate_limits_fail_open: p.rateLimitsFailOpen,
    budgets_fail_open: p.budgetsFailOpen,
    circuit_breaker: p.circuitBreaker ?? null,
    ...storedFieldsOf(p.gatewayStored ?? {}),
  };
}

export function applySettings(p: ProjectEntity, s: Partial<ProjectSettings>): void {
  if (s.cache_ttl !== undefined) p.cacheTtl = s.cache_ttl;
  if (s.cache_invalidate_on_update !== undefined) p.cacheInvalidateOnUpdate = s.cache_invalidate_on_update;
  if (s.collect_logs !== undefined) p.collectLogs = s.collect_logs;
  if (s.rate_limiting_interval !== undefined) p.rateLimitingInterval = s.rate_limiting_interval;
  if (s.rate_limiting_limit !== undefined) p.rateLimitingLimit = s.rate_limiting_limit;
  if (s.rate_limiting_technique !== undefined) p.rateLimitingTechnique = s.rate_limiting_technique;
  if (s.authentication !== undefined) p.authentication = s.authentication;
  if (s.dlp !== undefined) p.dlp = s.dlp;
  if (s.log_management !== undefined) p.logManagement = s.log_management;
  if (s.log_management_strategy !== undefined) p.logManagementStrategy = s.log_management_strategy;
  if (s.otel !== undefined) p.otel = s.otel;
  if (s.retry_backoff !== undefined) p.retryBackoff = s.retry_backoff;
  if (s.retry_delay !== undefined) p.retryDelay = s.retry_delay;
  if (s.retry_max_attempts !== undefined) p.retryMaxAttempts = s.retry_max_attempts;
  if (s.zdr !== undefined) p.zdr = s.zdr;
  if (s.rate_limits_fail_open !== undefined) p.rateLimitsFailOpen = s.rate_limits_fail_open;
  if (s.budgets_fail_open !== undefined) p.budgetsFailOpen = s.budgets_fail_open;
  if (s.circuit_breaker !== undefined) p.circuitBreaker = s.circuit_breaker;
  const stored = Object.fromEntries(GATEWAY_STORED_KEYS.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
  if (Object.keys(stored).length) p.gatewayStored = { ...(p.gatewayStored ?? {}), ...stored };
}

/** Every stored-only field, null when never set. */
function storedFieldsOf(stored: GatewayStoredFields): Required<GatewayStoredFields> {
  return Object.fromEntries(GATEWAY_STORED_KEYS.map((k) => [k, stored[k] ?? null])) as Required<GatewayStoredFields>;
}
