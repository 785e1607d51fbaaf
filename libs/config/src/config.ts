import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { z } from 'zod';
import { DEV_ADMIN_TOKEN, DEV_MASTER_KEY, envSchema } from './config.schema';

export interface MasterKey {
  id: string;
  key: Buffer;
}

/** Where the documents service keeps files (docs/documents.md#storage). */
export type DocumentStorageConfig =
  | { kind: 'postgres' }
  | {
      kind: 's3';
      bucket: string;
      /** Empty, or ending with `/`. */
      prefix: string;
      /** null: AWS's endpoint for the region. */
      endpoint: string | null;
      /** null: the AWS SDK's region chain (AWS_REGION, the profile). */
      region: string | null;
      forcePathStyle: boolean;
      /** null: the AWS SDK's default credential chain. */
      credentials: { accessKeyId: string; secretAccessKey: string } | null;
    };

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  database: { url: string; poolSize: number; connectTimeoutMs: number; statementTimeoutMs: number; idleInTransactionTimeoutMs: number };
  redis: { url: string; prefix: string };
  admin: { token: string; usingDevDefault: boolean };
  secrets: { current: MasterKey; previous: MasterKey[]; usingDevDefault: boolean };
  http: { host: string; routerPort: number; collectorPort: number; documentsPort: number };
  log: { level: string; pretty: boolean };
  /** Limits every service applies at its HTTP edge. */
  limits: { jsonMaxDepth: number; bodyIdleTimeoutMs: number };
  router: {
    bodyLimitBytes: number;
    retryAfterCapMs: number;
    requestTimeoutMs: number;
    /** How long a limits check waits for Redis before Redis counts as down. */
    limitsTimeoutMs: number;
    /** Largest audio upload (`/v1/audio/transcriptions`). */
    audioMaxBytes: number;
    /** Fetching image URLs for providers that need inline bytes. */
    images: { maxBytes: number; timeoutMs: number; allowPrivateUrls: boolean; caPem: string | null };
    /** The exact response cache (docs/governance.md): largest entry stored, and how long a miss holds its fill lock. */
    cache: { maxEntryBytes: number; lockMs: number };
  };
  auth: { cacheTtlMs: number; staleAfterMs: number };
  /** Whether organization admin keys may point connections at private, loopback or link-local hosts. */
  connections: { allowPrivateBaseUrls: boolean };
  /** Request logs as the router and the documents worker record them (docs/logs.md). */
  logs: { bodyMaxBytes: number; bufferMaxRecords: number };
  collector: {
    maxBodyBytes: number;
    maxSpansPerRequest: number;
    queueHighWater: number;
    writerEnabled: boolean;
    writerBatchSpans: number;
    writerConcurrency: number;
    claimIdleMs: number;
    retentionIntervalMs: number;
  };
  documents: {
    publicUrl: string;
    ocrModel: string;
    allowPrivateUrls: boolean;
    maxFileBytes: number;
    maxPages: number;
    maxPixels: number;
    workerConcurrency: number;
    /** Worker threads that parse, render and encode pages, and as many that read `mode: text` text layers; 0 = the worker's main thread. */
    renderThreads: number;
    /** Text-layer pages of a built-in PDF each text thread reads at the worker's boot (JIT warm-up); 0: none. */
    renderWarmupPages: number;
    /** Default model of the structured-output pass; `null` = the request must name one. */
    extractModel: string | null;
    maxDpi: number;
    maxWaitSeconds: number;
    /** Longest side of a page image (both engines: the vision models' and tesseract's). */
    imageMaxSide: number;
    /** Longest side of a page image sent to a vision model (its rendering too): what the models read at most. */
    visionMaxSide: number;
    /** `mode: auto` uses a page's text layer when it has at least this many characters. */
    textMinChars: number;
    pageAttempts: number;
    pageBackoffMs: number;
    extractRetries: number;
    jobLockMs: number;
    /** Touched every 10 s while the worker's event loop runs (its Kubernetes probes read its age); null: none. */
    heartbeatFile: string | null;
    webhookBackoffMs: number;
    webhookMaxAgeMs: number;
    webhookTimeoutMs: number;
    retentionSweepMs: number;
    storage: DocumentStorageConfig;
    /** Stopgap direct OpenAI-compatible endpoint for vision/extraction calls (until GatewayClient lands). */
  };
  otel: {
    endpoint: string | null;
    serviceName: string | null;
    /** Which requests get the gateway's own spans (docs/router.md#opentelemetry). */
    gatewaySpans: 'off' | 'traced' | 'all';
    /** Allow `otel[]` export to private, loopback and link-local addresses. */
    allowPrivateUrls: boolean;
    exportIntervalMs: number;
    exportTimeoutMs: number;
    bufferMaxSpans: number;
  };
  /** The web console the router serves under /console (docs/console.md). */
  console: {
    /** Browser-facing base URLs the console calls. */
    routerUrl: string;
    collectorUrl: string;
    documentsUrl: string;
    /** Origins the collector and documents service allow with CORS: the router's, plus CONSOLE_EXTRA_ORIGINS. */
    origins: string[];
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Parses and validates an environment. Pure: the same input always gives the same config or error. */
export function parseConfig(env: Env): AppConfig {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0] ?? '?')}: ${i.message}`));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const missing: string[] = [];
  if (production && !e.GATEWAY_ADMIN_TOKEN) missing.push('GATEWAY_ADMIN_TOKEN: required when NODE_ENV=production');
  if (production && !e.GATEWAY_MASTER_KEY) missing.push('GATEWAY_MASTER_KEY: required when NODE_ENV=production');
  if (e.DOCUMENTS_STORAGE === 's3' && !e.DOCUMENTS_S3_BUCKET) missing.push('DOCUMENTS_S3_BUCKET: required when DOCUMENTS_STORAGE=s3');
  if (e.DOCUMENTS_S3_ACCESS_KEY_ID && !e.DOCUMENTS_S3_SECRET_ACCESS_KEY) missing.push('DOCUMENTS_S3_SECRET_ACCESS_KEY: required when DOCUMENTS_S3_ACCESS_KEY_ID is set');
  if (!e.DOCUMENTS_S3_ACCESS_KEY_ID && e.DOCUMENTS_S3_SECRET_ACCESS_KEY) missing.push('DOCUMENTS_S3_ACCESS_KEY_ID: required when DOCUMENTS_S3_SECRET_ACCESS_KEY is set');
  if (missing.length) throw new ConfigError(missing);

  const previous = e.GATEWAY_OLD_MASTER_KEYS
    ? e.GATEWAY_OLD_MASTER_KEYS.split(',').map((entry) => {
        const [id, key] = entry.split(':') as [string, string];
        return { id, key: Buffer.from(key, 'base64') };
      })
    : [];

  return {
    env: e.NODE_ENV,
    database: {
      url: e.DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: e.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    admin: { token: e.GATEWAY_ADMIN_TOKEN ?? DEV_ADMIN_TOKEN, usingDevDefault: !e.GATEWAY_ADMIN_TOKEN },
    secrets: {
      current: { id: e.GATEWAY_MASTER_KEY_ID, key: Buffer.from(e.GATEWAY_MASTER_KEY ?? DEV_MASTER_KEY, 'base64') },
      previous,
      usingDevDefault: !e.GATEWAY_MASTER_KEY,
    },
    http: { host: e.HOST, routerPort: e.ROUTER_PORT, collectorPort: e.COLLECTOR_PORT, documentsPort: e.DOCUMENTS_PORT },
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY },
    limits: { jsonMaxDepth: e.HTTP_JSON_MAX_DEPTH, bodyIdleTimeoutMs: e.HTTP_BODY_IDLE_TIMEOUT_MS },
    router: {
      bodyLimitBytes: e.ROUTER_BODY_LIMIT_BYTES,
      retryAfterCapMs: e.ROUTER_RETRY_AFTER_CAP_MS,
      requestTimeoutMs: e.ROUTER_REQUEST_TIMEOUT_MS,
      limitsTimeoutMs: e.ROUTER_LIMITS_TIMEOUT_MS,
      audioMaxBytes: e.ROUTER_AUDIO_MAX_BYTES,
      images: {
        maxBytes: e.ROUTER_IMAGE_MAX_BYTES,
        timeoutMs: e.ROUTER_IMAGE_TIMEOUT_MS,
        allowPrivateUrls: e.ROUTER_IMAGE_ALLOW_PRIVATE_URLS,
        caPem: e.ROUTER_IMAGE_CA_FILE ? readFileSync(e.ROUTER_IMAGE_CA_FILE, 'utf8') : null,
      },
      cache: { maxEntryBytes: e.ROUTER_CACHE_MAX_ENTRY_BYTES, lockMs: e.ROUTER_CACHE_LOCK_MS },
    },
    auth: { cacheTtlMs: e.AUTH_CACHE_TTL_MS, staleAfterMs: e.AUTH_STALE_AFTER_MS },
    connections: { allowPrivateBaseUrls: e.CONNECTIONS_ALLOW_PRIVATE_BASE_URLS },
    logs: { bodyMaxBytes: e.LOG_BODY_MAX_BYTES, bufferMaxRecords: e.LOG_BUFFER_MAX_RECORDS },
    collector: {
      maxBodyBytes: e.COLLECTOR_MAX_BODY_BYTES,
      maxSpansPerRequest: e.COLLECTOR_MAX_SPANS_PER_REQUEST,
      queueHighWater: e.COLLECTOR_QUEUE_HIGH_WATER,
      writerEnabled: e.COLLECTOR_WRITER_ENABLED,
      writerBatchSpans: e.COLLECTOR_WRITER_BATCH_SPANS,
      writerConcurrency: e.COLLECTOR_WRITER_CONCURRENCY,
      claimIdleMs: e.COLLECTOR_CLAIM_IDLE_MS,
      retentionIntervalMs: e.COLLECTOR_RETENTION_INTERVAL_MS,
    },
    documents: {
      publicUrl: e.DOCUMENTS_PUBLIC_URL.replace(/\/+$/, ''),
      ocrModel: e.DOCUMENTS_OCR_MODEL,
      allowPrivateUrls: e.DOCUMENTS_ALLOW_PRIVATE_URLS,
      maxFileBytes: e.DOCUMENTS_MAX_FILE_BYTES,
      maxPages: e.DOCUMENTS_MAX_PAGES,
      maxPixels: e.DOCUMENTS_MAX_PIXELS,
      workerConcurrency: e.DOCUMENTS_WORKER_CONCURRENCY,
      renderThreads: e.DOCUMENTS_RENDER_THREADS,
      renderWarmupPages: e.DOCUMENTS_RENDER_WARMUP_PAGES,
      extractModel: e.DOCUMENTS_EXTRACT_MODEL ?? null,
      maxDpi: e.DOCUMENTS_MAX_DPI,
      maxWaitSeconds: e.DOCUMENTS_MAX_WAIT_SECONDS,
      imageMaxSide: e.DOCUMENTS_IMAGE_MAX_SIDE,
      visionMaxSide: Math.min(e.DOCUMENTS_VISION_MAX_SIDE, e.DOCUMENTS_IMAGE_MAX_SIDE),
      textMinChars: e.DOCUMENTS_TEXT_MIN_CHARS,
      pageAttempts: e.DOCUMENTS_PAGE_ATTEMPTS,
      pageBackoffMs: e.DOCUMENTS_PAGE_BACKOFF_MS,
      extractRetries: e.DOCUMENTS_EXTRACT_RETRIES,
      jobLockMs: e.DOCUMENTS_JOB_LOCK_MS,
      heartbeatFile: e.DOCUMENTS_WORKER_HEARTBEAT_FILE ?? null,
      webhookBackoffMs: e.DOCUMENTS_WEBHOOK_BACKOFF_MS,
      webhookMaxAgeMs: e.DOCUMENTS_WEBHOOK_MAX_AGE_MS,
      webhookTimeoutMs: e.DOCUMENTS_WEBHOOK_TIMEOUT_MS,
      retentionSweepMs: e.DOCUMENTS_RETENTION_SWEEP_MS,
      storage: storageOf(e),
    },
    otel: {
      endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT ?? null,
      serviceName: e.OTEL_SERVICE_NAME ?? null,
      gatewaySpans: e.OTEL_GATEWAY_SPANS,
      allowPrivateUrls: e.OTEL_ALLOW_PRIVATE_URLS,
      exportIntervalMs: e.OTEL_EXPORT_INTERVAL_MS,
      exportTimeoutMs: e.OTEL_EXPORT_TIMEOUT_MS,
      bufferMaxSpans: e.OTEL_BUFFER_MAX_SPANS,
    },
    console: {
      routerUrl: e.ROUTER_PUBLIC_URL.replace(/\/+$/, ''),
      collectorUrl: e.COLLECTOR_PUBLIC_URL.replace(/\/+$/, ''),
      documentsUrl: e.DOCUMENTS_PUBLIC_URL.replace(/\/+$/, ''),
      origins: [
        ...new Set([new URL(e.ROUTER_PUBLIC_URL).origin, ...e.CONSOLE_EXTRA_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean)]),
      ],
    },
  };
}

function storageOf(e: z.output<typeof envSchema>): DocumentStorageConfig {
  if (e.DOCUMENTS_STORAGE === 'postgres') return { kind: 'postgres' };
  const prefix = e.DOCUMENTS_S3_PREFIX.replace(/^\/+/, '');
  return {
    kind: 's3',
    bucket: e.DOCUMENTS_S3_BUCKET as string,
    prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix,
    endpoint: e.DOCUMENTS_S3_ENDPOINT ?? null,
    region: e.DOCUMENTS_S3_REGION ?? null,
    forcePathStyle: e.DOCUMENTS_S3_FORCE_PATH_STYLE,
    credentials:
      e.DOCUMENTS_S3_ACCESS_KEY_ID && e.DOCUMENTS_S3_SECRET_ACCESS_KEY
        ? { accessKeyId: e.DOCUMENTS_S3_ACCESS_KEY_ID, secretAccessKey: e.DOCUMENTS_S3_SECRET_ACCESS_KEY }
        : null,
  };
}

let memo: AppConfig | undefined;

/**
 * The process configuration: `process.env` over `.env` in the working directory, validated once and memoized.
 * This module is the only reader of `process.env` in the code base.
 */
export function loadConfig(): AppConfig {
  if (!memo) memo = parseConfig({ ...readDotenv(), ...process.env });
  return memo;
}

/** Forgets the memoized config (tests). */
export function resetConfig(): void {
  memo = undefined;
}

/** A snapshot of the raw environment for tests and tools that derive per-suite configs. */
export function rawEnv(): Env {
  return { ...readDotenv(), ...process.env };
}

function readDotenv(): Env {
  try {
    return parseDotenv(readFileSync(resolve(process.cwd(), '.env')));
  } catch {
    return {};
  }
}

/** Names of config values that must never be logged. */
export const SECRET_KEYS = [
  'GATEWAY_ADMIN_TOKEN',
  'GATEWAY_MASTER_KEY',
  'GATEWAY_OLD_MASTER_KEYS',
  'DATABASE_URL',
  'REDIS_URL',
  'DOCUMENTS_S3_SECRET_ACCESS_KEY',
];

/** A loggable view of the config: secrets replaced, passwords stripped from URLs. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  const stripPassword = (u: string) => {
    const parsed = new URL(u);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  };
  return {
    env: config.env,
    database: stripPassword(config.database.url),
    redis: stripPassword(config.redis.url),
    redisPrefix: config.redis.prefix,
    http: config.http,
    adminToken: config.admin.usingDevDefault ? 'development default' : 'set',
    masterKey: config.secrets.usingDevDefault ? 'development default' : `set (id ${config.secrets.current.id})`,
  };
}

/** ioredis connection options from a redis:// or rediss:// URL (for clients that take no URL). */
export function redisOptionsFromUrl(url: string): {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
} {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
