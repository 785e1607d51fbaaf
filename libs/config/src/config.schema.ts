import { availableParallelism } from 'node:os';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const masterKey = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32 && /^[A-Za-z0-9+/]+={0,2}$/.test(v), {
    message: 'must be 32 random bytes, base64 encoded (openssl rand -base64 32)',
  });

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a ${protocols.join(' or ')} URL` },
  );

/** Development-only fallbacks; production refuses to start without real values. */
export const DEV_ADMIN_TOKEN = 'sy-dev-admin-token-change-me';
export const DEV_MASTER_KEY = Buffer.alloc(32, 'switchyard-dev').toString('base64');

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/switchyard'),
  DATABASE_POOL_SIZE: positiveInt(10),
  /** A new PostgreSQL connection that is not established within this time fails (a silent partition). */
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt(5_000),
  /** Server-side `statement_timeout`; the client gives up on a query that long plus a second (a blackholed connection). */
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(30_000),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: positiveInt(60_000),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
    .default('sy'),
  GATEWAY_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  GATEWAY_MASTER_KEY: masterKey.optional(),
  GATEWAY_MASTER_KEY_ID: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/).default('k1'),
  /** Retired master keys still able to decrypt: `id:base64,id:base64`. */
  GATEWAY_OLD_MASTER_KEYS: z
    .string()
    .default('')
    .refine(
      (v) =>
        v === '' ||
        v.split(',').every((entry) => {
          const [id, key] = entry.split(':');
          return Boolean(id) && masterKey.safeParse(key).success;
        }),
      { message: 'must be a comma-separated list of id:base64key entries' },
    ),
  HOST: z.string().default('127.0.0.1'),
  ROUTER_PORT: port(8080),
  COLLECTOR_PORT: port(4318),
  DOCUMENTS_PORT: port(8090),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool(false),
  /** JSON request bodies nested deeper than this are refused with a 400 at the edge of every service. */
  HTTP_JSON_MAX_DEPTH: positiveInt(256),
  /** An upload (multipart) that sends no byte for this long is answered 408 and its connection closed. */
  HTTP_BODY_IDLE_TIMEOUT_MS: positiveInt(30_000),
  ROUTER_BODY_LIMIT_BYTES: positiveInt(32 * 1024 * 1024),
  ROUTER_RETRY_AFTER_CAP_MS: positiveInt(60_000),
  ROUTER_REQUEST_TIMEOUT_MS: positiveInt(120_000),
  /** How long a call's limits check waits for Redis before Redis counts as down (docs/governance.md). */
  ROUTER_LIMITS_TIMEOUT_MS: positiveInt(3000),
  /** Largest `/v1/audio/transcriptions` upload (OpenAI's own limit is 25 MB); the body limit applies too. */
  ROUTER_AUDIO_MAX_BYTES: positiveInt(25 * 1024 * 1024),
  /** Image URLs the router fetches for providers that take only inline bytes (Gemini, Bedrock). */
  ROUTER_IMAGE_MAX_BYTES: positiveInt(20 * 1024 * 1024),
  ROUTER_IMAGE_TIMEOUT_MS: positiveInt(15_000),
  ROUTER_IMAGE_ALLOW_PRIVATE_URLS: bool(false),
  /** PEM file of extra CAs trusted when fetching image URLs (private PKI; tests). */
  ROUTER_IMAGE_CA_FILE: z.string().min(1).optional(),
  /** Cached answers larger than this (JSON, or a stream's chunks) are not stored. */
  ROUTER_CACHE_MAX_ENTRY_BYTES: positiveInt(1024 * 1024),
  /** How long the first of identical concurrent cache misses holds the fill lock (others wait for its entry up to this; stream waiters for each write of a fill they relay live). */
  ROUTER_CACHE_LOCK_MS: positiveInt(30_000),
  AUTH_CACHE_TTL_MS: positiveInt(30_000),
  /** With a cached (expired) entry at hand, the auth path waits this long for PostgreSQL before serving it stale. */
  AUTH_STALE_AFTER_MS: positiveInt(500),
  /** Lets organization admin keys set private, loopback and link-local connection base URLs (the admin token always may). */
  CONNECTIONS_ALLOW_PRIVATE_BASE_URLS: bool(false),
  /** Request log bodies (request and response, each) are cut at this size. */
  LOG_BODY_MAX_BYTES: positiveInt(10 * 1024 * 1024),
  /** Request log records held in memory while Redis is unreachable; more are dropped (and counted). */
  LOG_BUFFER_MAX_RECORDS: positiveInt(10_000),
  COLLECTOR_MAX_BODY_BYTES: positiveInt(8 * 1024 * 1024),
  COLLECTOR_MAX_SPANS_PER_REQUEST: positiveInt(50_000),
  COLLECTOR_QUEUE_HIGH_WATER: positiveInt(2_000_000),
  /** Run the queue-to-PostgreSQL writer in the collector process (off: accept only, e.g. a dedicated ingest tier). */
  COLLECTOR_WRITER_ENABLED: bool(true),
  COLLECTOR_WRITER_BATCH_SPANS: positiveInt(5_000),
  /** Writer loops per collector process, each with its own Redis connection and PostgreSQL statement in flight. */
  COLLECTOR_WRITER_CONCURRENCY: positiveInt(2),
  /** A queue entry read by a writer that has not acknowledged it for this long is taken over by another writer. */
  COLLECTOR_CLAIM_IDLE_MS: positiveInt(30_000),
  COLLECTOR_RETENTION_INTERVAL_MS: positiveInt(3_600_000),
  DOCUMENTS_PUBLIC_URL: url(['http:', 'https:']).default('http://127.0.0.1:8090'),
  /** The router's URL as browsers reach it: the console's origin (docs/console.md). */
  ROUTER_PUBLIC_URL: url(['http:', 'https:']).default('http://127.0.0.1:8080'),
  /** The collector's URL as browsers reach it (the console calls its query API directly). */
  COLLECTOR_PUBLIC_URL: url(['http:', 'https:']).default('http://127.0.0.1:4318'),
  /** Extra origins (comma-separated) the collector and documents service answer with CORS, besides ROUTER_PUBLIC_URL's. */
  CONSOLE_EXTRA_ORIGINS: z
    .string()
    .default('')
    .refine((v) => v.split(',').every((o) => !o.trim() || /^https?:\/\/[^/\s]+$/.test(o.trim())), { message: 'must be comma-separated origins like https://console.example.com' }),
  DOCUMENTS_OCR_MODEL: z.string().min(1).default('local-ocr/tesseract'),
  DOCUMENTS_ALLOW_PRIVATE_URLS: bool(false),
  DOCUMENTS_MAX_FILE_BYTES: positiveInt(50 * 1024 * 1024),
  DOCUMENTS_MAX_PAGES: positiveInt(500),
  DOCUMENTS_MAX_PIXELS: positiveInt(100_000_000),
  DOCUMENTS_WORKER_CONCURRENCY: positiveInt(2),
  /** Worker threads of a documents worker that parse, render and encode pages (0: on its main thread). */
  DOCUMENTS_RENDER_THREADS: z.coerce.number().int().min(0).max(64).default(availableParallelism()),
  /** Text-layer pages of a built-in PDF each text thread reads at boot (docs/documents.md#speed). */
  DOCUMENTS_RENDER_WARMUP_PAGES: z.coerce.number().int().min(0).max(10_000).default(0),
  DOCUMENTS_EXTRACT_MODEL: z.string().min(1).optional(),
  DOCUMENTS_MAX_DPI: positiveInt(300),
  DOCUMENTS_MAX_WAIT_SECONDS: positiveInt(300),
  DOCUMENTS_IMAGE_MAX_SIDE: positiveInt(2000),
  DOCUMENTS_VISION_MAX_SIDE: positiveInt(1568),
  DOCUMENTS_TEXT_MIN_CHARS: positiveInt(40),
  DOCUMENTS_PAGE_ATTEMPTS: positiveInt(3),
  DOCUMENTS_PAGE_BACKOFF_MS: positiveInt(2000),
  DOCUMENTS_EXTRACT_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  DOCUMENTS_JOB_LOCK_MS: positiveInt(30_000),
  DOCUMENTS_WORKER_HEARTBEAT_FILE: z.string().min(1).optional(),
  DOCUMENTS_WEBHOOK_BACKOFF_MS: positiveInt(10_000),
  DOCUMENTS_WEBHOOK_MAX_AGE_MS: positiveInt(24 * 60 * 60 * 1000),
  DOCUMENTS_WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  DOCUMENTS_RETENTION_SWEEP_MS: positiveInt(60 * 60 * 1000),
  /** Where uploaded files and kept page renderings live (docs/documents.md#storage). */
  DOCUMENTS_STORAGE: z.enum(['postgres', 's3']).default('postgres'),
  DOCUMENTS_S3_BUCKET: z.string().regex(/^[A-Za-z0-9._-]{3,255}$/, 'must be a bucket name').optional(),
  DOCUMENTS_S3_PREFIX: z.string().max(512).default(''),
  DOCUMENTS_S3_ENDPOINT: url(['http:', 'https:']).optional(),
  DOCUMENTS_S3_REGION: z.string().min(1).optional(),
  DOCUMENTS_S3_FORCE_PATH_STYLE: bool(false),
  /** Static S3 credentials; unset: the AWS SDK's default chain (AWS_* variables, profile, web identity, instance role). */
  DOCUMENTS_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  DOCUMENTS_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Stopgap until the router core's GatewayClient is wired in: an OpenAI-compatible base URL the worker calls directly. */
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http:', 'https:']).optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
  OTEL_GATEWAY_SPANS: z.enum(['off', 'traced', 'all']).default('traced'),
  OTEL_ALLOW_PRIVATE_URLS: bool(false),
  OTEL_EXPORT_INTERVAL_MS: positiveInt(1000),
  OTEL_EXPORT_TIMEOUT_MS: positiveInt(10_000),
  OTEL_BUFFER_MAX_SPANS: positiveInt(20_000),
});

export type RawEnv = z.input<typeof envSchema>;
