import type { ReportedUsage } from '@switchyard/metering';
import { invalidRequest, normalizeProviderId, parseOr400, type JsonObject, type ProviderId } from '@switchyard/types';
import { z } from 'zod';

const count = z.number().int().min(0);
const seconds = z.number().finite().min(0);

/**
 * `POST /v1/logs`: a call a client made to a provider directly (Keywords AI `request-logs/create` style).
 * Unknown fields are a 400. Times in seconds (`latency`, `time_to_first_token`), as Keywords AI sends them.
 */
const createSchema = z
  .object({
    model: z.string().min(1).max(256),
    provider: z.string().min(1).max(64).optional(),
    messages: z.array(z.unknown()).optional(),
    completion_message: z.unknown().optional(),
    completion: z.string().optional(),
    prompt_tokens: count.optional(),
    completion_tokens: count.optional(),
    usage: z
      .object({
        prompt_tokens: count.optional(),
        completion_tokens: count.optional(),
        prompt_tokens_details: z.object({ cached_tokens: count.optional() }).passthrough().nullable().optional(),
        completion_tokens_details: z.object({ reasoning_tokens: count.optional() }).passthrough().nullable().optional(),
        cache_creation_input_tokens: count.optional(),
      })
      .passthrough()
      .optional(),
    cost: z.number().finite().min(0).nullable().optional(),
    latency: seconds.optional(),
    time_to_first_token: seconds.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    customer_identifier: z.union([z.string().max(256), z.number()]).optional(),
    thread_identifier: z.string().max(256).optional(),
    custom_identifier: z.string().max(256).optional(),
    event_id: z.string().max(256).optional(),
    status_code: z.number().int().min(100).max(599).default(200),
    error_code: z.string().max(128).optional(),
    stream: z.boolean().default(false),
    timestamp: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

export interface LogCreateInput {
  model: string;
  provider: ProviderId | null;
  /** The request body as stored (`{model, messages}`), when messages were sent. */
  request: string | null;
  /** The response body as stored (the completion message as JSON, or the completion text). */
  response: string | null;
  usage: ReportedUsage;
  cost: number | null | undefined;
  durationMs: number;
  ttfbMs: number | null;
  metadata: JsonObject;
  customerIdentifier: string | null;
  threadIdentifier: string | null;
  customIdentifier: string | null;
  eventId: string | null;
  statusCode: number;
  errorCode: string | null;
  stream: boolean;
  createdAt: string;
}

export function parseLogCreate(body: unknown, now = Date.now()): LogCreateInput {
  const b = parseOr400(createSchema, body);
  let provider: ProviderId | null = null;
  if (b.provider !== undefined) {
    provider = normalizeProviderId(b.provider) ?? null;
    if (!provider) throw invalidRequest(`Unknown provider '${b.provider}'.`, 'provider');
  }
  const usage: ReportedUsage = { ...b.usage };
  if (b.prompt_tokens !== undefined) usage.prompt_tokens = b.prompt_tokens;
  if (b.completion_tokens !== undefined) usage.completion_tokens = b.completion_tokens;
  const completion = b.completion_message !== undefined ? JSON.stringify(b.completion_message) : (b.completion ?? null);
  return {
    model: b.model,
    provider,
    request: b.messages ? JSON.stringify({ model: b.model, messages: b.messages }) : null,
    response: completion,
    usage,
    cost: b.cost,
    durationMs: Math.round((b.latency ?? 0) * 1000),
    ttfbMs: b.time_to_first_token !== undefined ? Math.round(b.time_to_first_token * 1000) : null,
    metadata: (b.metadata ?? {}) as JsonObject,
    customerIdentifier: b.customer_identifier !== undefined ? String(b.customer_identifier) : null,
    threadIdentifier: b.thread_identifier ?? null,
    customIdentifier: b.custom_identifier ?? null,
    eventId: b.event_id ?? null,
    statusCode: b.status_code,
    errorCode: b.error_code ?? null,
    stream: b.stream,
    createdAt: b.timestamp ? new Date(b.timestamp).toISOString() : new Date(now).toISOString(),
  };
}
