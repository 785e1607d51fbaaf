import type { JsonObject, ProviderId } from '@switchyard/types';
import type { TokenUsage } from './token-usage';

/** One upstream attempt of a request: which target, what it answered, how long it took. */
export interface LogAttempt {
  /** 0-based index of the target in the resolved plan. */
  step: number;
  provider: ProviderId;
  model: string;
  connectionId: string;
  /** The upstream HTTP status; null when no answer came (timeout, connection error). */
  status: number | null;
  durationMs: number;
  /** When the attempt started, epoch milliseconds with a fraction (its span's start); absent in records written before it was kept. */
  startMs?: number;
  /** The failure's code when the attempt failed (e.g. `provider_timeout`), else null. */
  errorCode: string | null;
}

/** Request and response bodies of a log, stored apart from the record; absent when payload collection is off or `zdr`. */
export interface LogBodies {
  /** The request body as received (JSON text; with a REDACT policy's matches replaced when one applied), cut at the cap. */
  request: string | null;
  /** The response as the client received it (a stream assembled into its final completion), cut at the cap. */
  response: string | null;
  requestContentType: string;
  responseContentType: string;
  /** Sizes before the cap, in bytes. */
  requestBytes: number;
  responseBytes: number;
  /** True when either body was cut at the cap. */
  truncated: boolean;
}

/**
 * One request's log record: what the router (or the documents worker, for a job's model calls) appends to
 * the log stream and the collector's writer stores. Times are ISO-8601 UTC; cost is USD (null: unpriced).
 */
export interface RequestLogRecord {
  /** The log id (UUIDv7), also the `x-gateway-log-id` response header. */
  id: string;
  requestId: string;
  /** `x-gateway-event-id` / `cf-aig-event-id`, when sent. */
  eventId: string | null;
  createdAt: string;
  organizationId: string;
  projectId: string;
  keyId: string | null;
  customerIdentifier: string | null;
  threadIdentifier: string | null;
  customIdentifier: string | null;
  /** The document job a model call was made for (documents worker), else null. */
  documentJobId: string | null;
  /** The endpoint path, e.g. `/v1/chat/completions`. */
  path: string;
  /** The kind of call, e.g. `chat.completions`. */
  requestType: string;
  /** The model the client asked for (`gpt-4o-mini`, `@prod/gpt-4o`, `dynamic/support`). */
  modelRequested: string;
  /** The provider's own model id that answered (null: no target answered). */
  model: string | null;
  provider: ProviderId | null;
  connectionId: string | null;
  statusCode: number;
  success: boolean;
  cached: boolean;
  /** 0-based index of the target that answered (null: none did). */
  step: number | null;
  attempts: LogAttempt[];
  tokens: TokenUsage;
  cost: number | null;
  /** True when the cost came from `x-gateway-custom-cost` / `cf-aig-custom-cost`. */
  customCost: boolean;
  durationMs: number;
  /** Milliseconds to the first byte sent to the client (streams: the first content). */
  ttfbMs: number | null;
  stream: boolean;
  /** The body's `metadata` (free-form) with the `x-gateway-metadata` / `cf-aig-metadata` scalars over it. */
  metadata: JsonObject;
  /** The routing decision (dynamic route path, load-balancing pick), when there was one. */
  routing: JsonObject | null;
  /** The error code sent to the client when the request failed, else null. */
  errorCode: string | null;
  /** The DLP result (the governance issue fills it). */
  dlp: JsonObject | null;
  /** Null when payloads are not collected for this request. */
  bodies: LogBodies | null;
}

/** The log stream's Redis keys, under REDIS_PREFIX. Each stream entry has one field `d`: a JSON array of records. */
export function logStreamKeys(prefix: string) {
  return {
    stream: `${prefix}:logs`,
    group: 'log-writers',
    deadLetter: `${prefix}:logs:dead`,
  };
}
