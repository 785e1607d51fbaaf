import type { CustomCost, CustomerLimits } from '@switchyard/metering';
import { CONDITION_HEADERS } from '../routes/route-conditions';
import { customerLimitsOf } from './customer-params';
import { invalidRequest, type ChatRequestBody, type JsonObject, type JsonValue } from '@switchyard/types';
import { parseTraceContext, type TraceContext } from '@switchyard/telemetry';

/** Request headers as the edge received them (Node's HeaderMap fits). */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

export type Backoff = 'constant' | 'linear' | 'exponential';

/** The gateway's own fields of a request body (Keywords AI style), validated, removed before forwarding. */
export type BodyExtensions = Pick<
  ChatRequestBody,
  | 'fallback_models'
  | 'load_balance_group'
  | 'disable_fallback'
  | 'models'
  | 'exclude_models'
  | 'exclude_providers'
  | 'retry_params'
  | 'metadata'
  | 'customer_identifier'
  | 'thread_identifier'
  | 'custom_identifier'
  | 'disable_log'
  | 'cache_enabled'
  | 'cache_ttl'
  | 'cache_options'
  | 'mock_response'
  | 'customer_params'
>;

/** What the request's log records, and whether it is recorded at all (docs/logs.md). */
export interface LogControls {
  /** `x-gateway-collect-log` (true|false); false too with the body's `disable_log: true`. Unset: the project's `collect_logs`. */
  collect?: boolean;
  /** `x-gateway-collect-log-payload: false`: a record without the bodies. */
  collectPayload: boolean;
  /** `x-gateway-event-id`. */
  eventId: string | null;
  /** The body's `metadata` with the `x-gateway-metadata` scalars (at most 5) over it. */
  metadata: JsonObject;
  /** `x-gateway-custom-cost`. */
  customCost: CustomCost | null;
  customerIdentifier: string | null;
  threadIdentifier: string | null;
  customIdentifier: string | null;
  /** The config (`x-gateway-config`) or saved prompt applied to the body, set by the edge after `prepare`: merged into the record's `routing`. */
  applied?: JsonObject;
}

/**
 * Per-request controls, parsed at the edge from `x-gateway-*` headers (and their `cf-aig-*` aliases) and the
 * body's extensions: what the pipeline reads instead of raw headers. Unset fields leave the project's settings.
 */
export interface RequestControls {
  /** The allow-listed request headers a dynamic route's conditions may read (CONDITION_HEADERS), lower case. */
  routeHeaders?: Readonly<Record<string, string>>;
  /** `x-gateway-max-attempts`: attempts per target, the first included (1-5). */
  maxAttempts?: number;
  /** `x-gateway-retry-delay` (0-5000 ms). */
  retryDelayMs?: number;
  /** `x-gateway-backoff`. */
  backoff?: Backoff;
  /** `x-gateway-request-timeout` (1-600000 ms to the first byte). */
  requestTimeoutMs?: number;
  /** `x-gateway-drop-unsupported: true`: drop parameters the provider cannot honour instead of a 400. */
  dropUnsupported: boolean;
  /**
   * `x-gateway-translate: true`: Responses and Messages calls go through the chat translation even to providers that
   * speak the protocol natively (OpenAI, Azure; Anthropic, Vertex and Bedrock Claude), instead of passing the body through.
   */
  translate: boolean;
  /** The body's `retry_params`. */
  retryParams?: BodyExtensions['retry_params'];
  /** The body's `fallback_models`: tried in order after the model's own targets. */
  fallbackModels: readonly string[];
  /** The body's load balancing and target filters (Keywords AI); absent when it has none. */
  balance?: BalanceControls;
  /** The body's `mock_response`: answered with this text, no provider called (pipeline/mock-response.ts). */
  mockResponse?: string;
  log: LogControls;
  /** The end user's limits from the body's `customer_params` (Keywords AI), null when it sets none. */
  customer: CustomerLimits | null;
  cache: CacheControls;
  /**
   * `cf-aig-zdr: true` (or `x-gateway-zdr`): zero data retention for this request, as the project's `zdr` is for all of
   * them: no bodies in the log record, not cached (neither read nor written), no stored Responses conversation.
   */
  zdr: boolean;
  /** The caller's trace (`traceparent`, or `cf-aig-otel-trace-id` + `cf-aig-otel-parent-span-id`), null when it sent none or a malformed one. */
  trace: TraceContext | null;
}

/** Keywords AI's load balancing fields of a request (docs/routing.md#load-balancing). */
export interface BalanceControls {
  /** `load_balance_group` (used when the body names no `model`). */
  group?: NonNullable<BodyExtensions['load_balance_group']>;
  /** `models`: an equal-weight group (used when the body names neither `model` nor a group). */
  models?: readonly string[];
  /** `exclude_models`: targets left out by model name (as requested, or the provider's id). */
  excludeModels?: ReadonlySet<string>;
  /** `exclude_providers`: targets left out by provider id. */
  excludeProviders?: ReadonlySet<string>;
  /** `disable_fallback`: only the first target is tried. */
  disableFallback: boolean;
}

/** The request's say over the exact cache (docs/governance.md#cache); unset fields leave the project's `cache_ttl`. */
export interface CacheControls {
  /** `x-gateway-skip-cache: true`, or the body's `cache_enabled: false`: neither read nor write the cache. */
  skip: boolean;
  /** The body's `cache_enabled: true` (Keywords AI): cache this request even when the project's `cache_ttl` is 0. */
  enabled: boolean;
  /** `x-gateway-cache-ttl` (seconds), over the body's `cache_ttl`. */
  ttlSeconds?: number;
  /** `x-gateway-cache-key`: the entry's key instead of the normalized request. */
  key: string | null;
  /** `cache_options.cache_by_customer`: entries are per `customer_identifier`. */
  byCustomer: boolean;
  /** `cache_options.omit_log` (alias `omit_logs`): a hit is not recorded in the request logs. */
  omitLog: boolean;
}

const NO_FALLBACKS: readonly string[] = [];
const BACKOFFS: readonly string[] = ['constant', 'linear', 'exponential'];

/** The header names of a control: `x-gateway-<name>` and its Cloudflare alias `cf-aig-<name>` (and Cloudflare's older name). */
const names = (name: string, older?: string): readonly string[] => (older ? [`x-gateway-${name}`, `cf-aig-${name}`, older] : [`x-gateway-${name}`, `cf-aig-${name}`]);
const MAX_ATTEMPTS = names('max-attempts');
const RETRY_DELAY = names('retry-delay');
const BACKOFF = names('backoff');
const REQUEST_TIMEOUT = names('request-timeout');
const DROP_UNSUPPORTED = names('drop-unsupported');
const METADATA = names('metadata');
const COLLECT_LOG = names('collect-log');
const COLLECT_LOG_PAYLOAD = names('collect-log-payload');
const EVENT_ID = names('event-id');
const CUSTOM_COST = names('custom-cost');
const CACHE_TTL = names('cache-ttl', 'cf-cache-ttl');
const SKIP_CACHE = names('skip-cache', 'cf-skip-cache');
const ZDR = names('zdr');
const TRANSLATE = names('translate');
const CACHE_KEY = names('cache-key');
/** The longest cache TTL (30 days, the project setting's bound). */
export const MAX_CACHE_TTL_SECONDS = 2_592_000;
const MAX_CACHE_KEY_LENGTH = 1024;
const CACHE_OPTION_KEYS = new Set(['cache_by_customer', 'omit_log', 'omit_logs']);

/** At most this many `x-gateway-metadata` entries are kept (Cloudflare's limit); the rest are dropped. */
export const MAX_HEADER_METADATA_ENTRIES = 5;
const MAX_EVENT_ID_LENGTH = 256;
const NO_METADATA: JsonObject = Object.freeze({});

function balanceControls(body: BodyExtensions): BalanceControls | undefined {
  const { load_balance_group: group, models, exclude_models: excludeModels, exclude_providers: excludeProviders, disable_fallback: disableFallback } = body;
  if (!group && !models && !excludeModels?.length && !excludeProviders?.length && !disableFallback) return undefined;
  return {
    group,
    models,
    excludeModels: excludeModels?.length ? new Set(excludeModels) : undefined,
    excludeProviders: excludeProviders?.length ? new Set(excludeProviders) : undefined,
    disableFallback: disableFallback === true,
  };
}

/** Parses the controls of one request; a control out of its bounds is a 400 naming its header. */
export function parseRequestControls(headers: HeaderMap, body: BodyExtensions = {}): RequestControls {
  const maxAttempts = intControl(headers, MAX_ATTEMPTS, 1, 5);
  const retryDelayMs = intControl(headers, RETRY_DELAY, 0, 5000);
  const backoff = control(headers, BACKOFF);
  if (backoff && !BACKOFFS.includes(backoff.value)) throw invalidRequest(`Header ${backoff.header} must be constant, linear or exponential.`, backoff.header);
  const log = logControls(headers, body);
  const zdr = boolControl(headers, ZDR) === true;
  return {
    maxAttempts,
    retryDelayMs,
    backoff: backoff?.value as Backoff | undefined,
    requestTimeoutMs: intControl(headers, REQUEST_TIMEOUT, 1, 600_000),
    dropUnsupported: control(headers, DROP_UNSUPPORTED)?.value === 'true',
    translate: boolControl(headers, TRANSLATE) === true,
    retryParams: body.retry_params,
    fallbackModels: body.fallback_models ?? NO_FALLBACKS,
    mockResponse: body.mock_response,
    balance: balanceControls(body),
    log,
    customer: customerLimitsOf(body.customer_params, log.customerIdentifier),
    cache: cacheControls(headers, body, zdr),
    zdr,
    routeHeaders: routeHeadersOf(headers),
    trace: parseTraceContext(headers),
  };
}

/** The allow-listed headers present (undefined: none). */
function routeHeadersOf(headers: HeaderMap): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const name of CONDITION_HEADERS) {
    const value = headers[name];
    if (value !== undefined) (out ??= {})[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function cacheControls(headers: HeaderMap, body: BodyExtensions, zdr: boolean): CacheControls {
  const key = control(headers, CACHE_KEY);
  if (key && key.value.length > MAX_CACHE_KEY_LENGTH) throw invalidRequest(`Header ${key.header} must be at most ${MAX_CACHE_KEY_LENGTH} characters.`, key.header);
  if (body.cache_ttl !== undefined && body.cache_ttl > MAX_CACHE_TTL_SECONDS) throw invalidRequest(`cache_ttl must be at most ${MAX_CACHE_TTL_SECONDS} seconds.`, 'cache_ttl');
  const options = cacheOptions(body.cache_options);
  return {
    skip: boolControl(headers, SKIP_CACHE) === true || body.cache_enabled === false || zdr,
    enabled: body.cache_enabled === true,
    ttlSeconds: intControl(headers, CACHE_TTL, 0, MAX_CACHE_TTL_SECONDS) ?? body.cache_ttl,
    key: key?.value ?? null,
    byCustomer: options.cache_by_customer === true,
    omitLog: options.omit_log === true || options.omit_logs === true,
  };
}

/** The body's `cache_options`: an object of booleans `cache_by_customer`, `omit_log` (or `omit_logs`); anything else is a 400. */
function cacheOptions(value: unknown): Record<string, boolean> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('cache_options must be an object.', 'cache_options');
  for (const [k, v] of Object.entries(value)) {
    if (!CACHE_OPTION_KEYS.has(k)) throw invalidRequest(`cache_options.${k} is not supported (cache_by_customer, omit_log).`, `cache_options.${k}`);
    if (typeof v !== 'boolean') throw invalidRequest(`cache_options.${k} must be a boolean.`, `cache_options.${k}`);
  }
  return value as Record<string, boolean>;
}

/**
 * The controls of a request refused before the pipeline (its body, or a header, did not parse), for its record:
 * the headers' controls when they parse, else none; never the bodies (a refused request's record has none).
 */
export function refusedRequestControls(headers: HeaderMap): RequestControls {
  let controls: RequestControls;
  try {
    controls = parseRequestControls(headers);
  } catch {
    controls = parseRequestControls({});
  }
  return { ...controls, log: { ...controls.log, collectPayload: false } };
}

function logControls(headers: HeaderMap, body: BodyExtensions): LogControls {
  const collect = boolControl(headers, COLLECT_LOG);
  const eventId = control(headers, EVENT_ID);
  if (eventId && eventId.value.length > MAX_EVENT_ID_LENGTH) throw invalidRequest(`Header ${eventId.header} must be at most ${MAX_EVENT_ID_LENGTH} characters.`, eventId.header);
  const headerMetadata = metadataControl(headers);
  // Parsed from the JSON body: its values are JSON.
  const bodyMetadata = (body.metadata ?? undefined) as JsonObject | undefined;
  return {
    collect: body.disable_log === true ? false : collect,
    collectPayload: boolControl(headers, COLLECT_LOG_PAYLOAD) !== false,
    eventId: eventId?.value ?? null,
    metadata: bodyMetadata && headerMetadata ? { ...bodyMetadata, ...headerMetadata } : (headerMetadata ?? bodyMetadata ?? NO_METADATA),
    customCost: customCostControl(headers),
    customerIdentifier: identifier(body.customer_identifier),
    threadIdentifier: identifier(body.thread_identifier),
    customIdentifier: identifier(body.custom_identifier),
  };
}

const identifier = (v: string | number | undefined): string | null => (v === undefined ? null : String(v));

function boolControl(headers: HeaderMap, names: readonly string[]): boolean | undefined {
  const c = control(headers, names);
  if (!c) return undefined;
  if (c.value !== 'true' && c.value !== 'false') throw invalidRequest(`Header ${c.header} must be true or false.`, c.header);
  return c.value === 'true';
}

function jsonControl(headers: HeaderMap, names: readonly string[], shape: string): { header: string; value: Record<string, unknown> } | undefined {
  const c = control(headers, names);
  if (!c) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(c.value);
  } catch {
    value = undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`Header ${c.header} must be a JSON object ${shape}.`, c.header);
  return { header: c.header, value: value as Record<string, unknown> };
}

/** `x-gateway-metadata`: a JSON object of at most 5 scalar entries (the first five kept); an object or array value is a 400. */
function metadataControl(headers: HeaderMap): JsonObject | undefined {
  const c = jsonControl(headers, METADATA, 'of string, number or boolean values');
  if (!c) return undefined;
  const out: Record<string, JsonValue> = {};
  let kept = 0;
  for (const [key, value] of Object.entries(c.value)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw invalidRequest(`Header ${c.header} must be a JSON object of string, number or boolean values ("${key}" is not).`, c.header);
    }
    if (kept < MAX_HEADER_METADATA_ENTRIES) out[key] = value;
    kept += 1;
  }
  return out;
}

/** `x-gateway-custom-cost`: `{"per_token_in": USD, "per_token_out": USD}`, both non-negative numbers. */
function customCostControl(headers: HeaderMap): CustomCost | null {
  const shape = '{"per_token_in": USD, "per_token_out": USD} with non-negative numbers';
  const c = jsonControl(headers, CUSTOM_COST, shape);
  if (!c) return null;
  const { per_token_in: perTokenIn, per_token_out: perTokenOut } = c.value;
  const usd = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (!usd(perTokenIn) || !usd(perTokenOut)) throw invalidRequest(`Header ${c.header} must be a JSON object ${shape}.`, c.header);
  return { perTokenIn, perTokenOut };
}

function control(headers: HeaderMap, names: readonly string[]): { header: string; value: string } | undefined {
  for (const header of names) {
    const v = headers[header];
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && value !== '') return { header, value: value.trim() };
  }
  return undefined;
}

function intControl(headers: HeaderMap, names: readonly string[], min: number, max: number): number | undefined {
  const c = control(headers, names);
  if (!c) return undefined;
  const n = Number(c.value);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidRequest(`Header ${c.header} must be an integer from ${min} to ${max}.`, c.header);
  return n;
}
