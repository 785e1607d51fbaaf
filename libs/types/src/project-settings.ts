import { z } from 'zod';

/** The built-in DLP profile ids (detectors in libs/routing/src/dlp); custom profiles are referenced by their UUID. */
export const DLP_BUILT_IN_PROFILES = ['email', 'phone', 'credit_card', 'iban', 'us_ssn', 'ip_address', 'api_key', 'private_key', 'jwt'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const dlpProfileRef = z
  .string()
  .min(1)
  .refine((id) => (DLP_BUILT_IN_PROFILES as readonly string[]).includes(id) || UUID.test(id), {
    message: `must be a built-in profile (${DLP_BUILT_IN_PROFILES.join(', ')}) or a custom profile id`,
  });

/** The gateway settings of a project, named and bounded as in the Cloudflare Gateway object. */
export const dlpSettingsSchema = z.union([
  z.object({
    enabled: z.boolean(),
    action: z.enum(['BLOCK', 'FLAG']),
    profiles: z.array(dlpProfileRef).max(50),
  }),
  z.object({
    enabled: z.boolean(),
    policies: z
      .array(
        z
          .object({
            id: z.string().min(1),
            // REDACT (ours, not Cloudflare's): matches are replaced by placeholders before the request leaves.
            action: z.enum(['BLOCK', 'FLAG', 'REDACT']),
            check: z.array(z.enum(['REQUEST', 'RESPONSE'])).min(1),
            enabled: z.boolean(),
            profiles: z.array(dlpProfileRef).max(50),
          })
          .refine((p) => p.action !== 'REDACT' || !p.check.includes('RESPONSE'), {
            message: 'REDACT applies to REQUEST only (a response is FLAGged or BLOCKed)',
            path: ['check'],
          }),
      )
      .max(50),
  }),
]);

export const otelTargetSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  authorization: z.string().max(4096).default(''),
  headers: z.record(z.string(), z.string()).default({}),
  content_type: z.enum(['json', 'protobuf']).optional(),
});

/**
 * Cloudflare gateway fields Switchyard stores and returns but does not act on (no Logpush, no Stripe metering, no
 * Workers AI billing on a self-hosted gateway): accepted so that Cloudflare clients round-trip them.
 */
export const gatewayStoredFieldsSchema = z.object({
  logpush: z.boolean().nullable(),
  logpush_public_key: z.string().min(16).max(1024).nullable(),
  store_id: z.string().max(256).nullable(),
  stripe: z.object({ authorization: z.string().max(4096), usage_events: z.array(z.object({ payload: z.string().max(4096) })).max(50) }).nullable(),
  workers_ai_billing_mode: z.enum(['postpaid']).nullable(),
});

export type GatewayStoredFields = Partial<z.infer<typeof gatewayStoredFieldsSchema>>;
export const GATEWAY_STORED_KEYS = Object.keys(gatewayStoredFieldsSchema.shape) as (keyof GatewayStoredFields)[];

/** A project's circuit breaker per target (docs/routing.md#circuit-breaker); null: off. */
export const circuitBreakerSchema = z
  .object({
    /** Opens after this many failed attempts within the window… */
    failure_threshold: z.number().int().min(1).max(10_000).default(5),
    window_seconds: z.number().int().min(1).max(3600).default(60),
    /** …or when this share of at least `min_requests` attempts in the window failed. */
    error_ratio: z.number().gt(0).max(1).default(0.5),
    min_requests: z.number().int().min(1).max(100_000).default(20),
    /** How long it stays open before one probe is let through. */
    open_seconds: z.number().int().min(1).max(3600).default(30),
  })
  .strict();

export type CircuitBreakerSettings = z.infer<typeof circuitBreakerSchema>;

export const projectSettingsSchema = gatewayStoredFieldsSchema.extend({
  cache_ttl: z.number().int().min(0).max(2_592_000),
  cache_invalidate_on_update: z.boolean(),
  collect_logs: z.boolean(),
  rate_limiting_interval: z.number().int().min(0).max(86_400),
  rate_limiting_limit: z.number().int().min(0),
  rate_limiting_technique: z.enum(['fixed', 'sliding']),
  authentication: z.boolean(),
  dlp: dlpSettingsSchema.nullable(),
  log_management: z.number().int().min(10_000).max(10_000_000).nullable(),
  log_management_strategy: z.enum(['STOP_INSERTING', 'DELETE_OLDEST']).nullable(),
  otel: z.array(otelTargetSchema).max(10),
  retry_backoff: z.enum(['constant', 'linear', 'exponential']),
  retry_delay: z.number().int().min(0).max(5000),
  retry_max_attempts: z.number().int().min(1).max(5),
  zdr: z.boolean(),
  /** While Redis is unreachable: rate limits let calls through (true, the default) or refuse them with a 503. */
  rate_limits_fail_open: z.boolean(),
  /** While Redis is unreachable: budgets and quotas refuse calls with a 503 (false, the default) or let them through. */
  budgets_fail_open: z.boolean(),
  circuit_breaker: circuitBreakerSchema.nullable(),
});

export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = {
  cache_ttl: 0,
  cache_invalidate_on_update: false,
  collect_logs: true,
  rate_limiting_interval: 0,
  rate_limiting_limit: 0,
  rate_limiting_technique: 'fixed',
  authentication: true,
  dlp: null,
  log_management: null,
  log_management_strategy: null,
  otel: [],
  retry_backoff: 'exponential',
  retry_delay: 250,
  retry_max_attempts: 2,
  zdr: false,
  rate_limits_fail_open: true,
  budgets_fail_open: false,
  circuit_breaker: null,
  logpush: null,
  logpush_public_key: null,
  store_id: null,
  stripe: null,
  workers_ai_billing_mode: null,
};

/** A partial update of settings plus the project's own fields, as PATCH accepts it. */
export const projectPatchSchema = projectSettingsSchema
  .extend({
    name: z.string().trim().min(1).max(200),
    retention_days: z.number().int().min(1).max(3650),
  })
  .partial()
  .strict();

export type ProjectPatch = z.infer<typeof projectPatchSchema>;

export const SETTINGS_KEYS = Object.keys(projectSettingsSchema.shape) as (keyof ProjectSettings)[];
