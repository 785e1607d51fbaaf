import { GatewayError } from '@switchyard/types';
import { secretForms } from './upstream-failure';

/** At most this much of a provider's error body is kept (the rest is not read). */
export const MAX_ERROR_BODY_BYTES = 1024 * 1024;

/**
 * A provider's own error answer (status, content type, the headers worth passing on, the body bytes), as a
 * provider-native path returns it, Cloudflare's pass-through style: the client's provider SDK parses it.
 */
export interface ProviderAnswer {
  status: number;
  contentType: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Provider headers an SDK reads from an error (request ids, retry hints, Bedrock's error type, rate-limit state). */
const KEPT_HEADERS = new Set(['retry-after', 'retry-after-ms', 'x-should-retry', 'x-request-id', 'request-id', 'apim-request-id', 'x-amzn-requestid', 'x-amzn-errortype', 'x-goog-request-id']);
const KEPT_PREFIXES = ['x-ratelimit-', 'anthropic-ratelimit-'];

/** The headers of an upstream error answer a client may see (never a cookie, a credential or hop-by-hop header). */
export function keptHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (KEPT_HEADERS.has(lower) || KEPT_PREFIXES.some((p) => lower.startsWith(p))) out[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Reads at most `limit` bytes of a body, then discards the rest (its connection goes back to the pool). */
export async function boundedBytes(body: AsyncIterable<Buffer> & { destroy?: () => void }, limit = MAX_ERROR_BODY_BYTES): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const room = limit - size;
    parts.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    size += Math.min(chunk.length, room);
    if (size >= limit) {
      body.destroy?.();
      break;
    }
  }
  return Buffer.concat(parts, size);
}

/** The body with every form of each secret replaced by `[redacted]` (the bytes themselves when none occurs). */
export function scrubBytes(body: Buffer, secrets: readonly string[]): Buffer {
  const text = body.toString('utf8');
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 6) continue;
    for (const form of secretForms(s)) if (out.includes(form)) out = out.split(form).join('[redacted]');
  }
  return out === text ? body : Buffer.from(out, 'utf8');
}

/**
 * The failure of a provider-native call answered with the provider's own error: its status is the provider's (the
 * log records it with our error code); the edge writes `answer` as it came instead of an error in our shape.
 */
export class ProviderErrorAnswer extends GatewayError {
  constructor(
    err: GatewayError,
    readonly answer: ProviderAnswer,
  ) {
    super(answer.status, err.type, err.code, err.message, { param: err.param, headers: err.headers, details: err.details, cause: err });
  }
}

/** The provider's own error answer an error carries (itself, or an error it was copied from); null when none. */
export function providerAnswerOf(err: unknown): ProviderAnswer | null {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) if (e instanceof ProviderErrorAnswer) return e.answer;
  return null;
}
