import type { NativeProtocol, NativeRequest } from '@switchyard/providers';
import { GATEWAY_BODY_EXTENSIONS, gatewayExtensionFields, invalidRequest, parseOr400, type PassThroughRequest } from '@switchyard/types';
import { z } from 'zod';
import type { BodyExtensions, HeaderMap } from './request-controls';

/** What a passed-through body must have for the gateway to route it; everything else is the provider's to judge. */
const nativeBodySchema = z
  .object({
    model: z.string().min(1, 'is required').max(512),
    stream: z.boolean().nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
    ...gatewayExtensionFields,
    mock_response: z.string().max(1_000_000).optional(),
  })
  .loose();

/** The client headers a native protocol forwards (Anthropic's version and betas: Claude Code's features depend on them). */
const FORWARDED_HEADERS: Record<NativeProtocol, readonly string[]> = {
  responses: [],
  messages: ['anthropic-version', 'anthropic-beta'],
};

/**
 * Stage 2 for a body that may pass through to a provider speaking its protocol natively (`/v1/responses` to
 * OpenAI and Azure, `/v1/messages` to Claude): only what routing needs is validated (`model`, `stream`, the
 * gateway's own fields, a 400 naming the field); the gateway's fields are removed and the rest forwarded as
 * sent, `metadata` included (both protocols define it; the log records it too).
 */
export function parseNativeRequest(protocol: NativeProtocol, body: unknown, headers: HeaderMap): { native: NativeRequest; extensions: BodyExtensions } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
  const extensions = parseOr400(nativeBodySchema, body) as BodyExtensions;
  const forwarded: Record<string, unknown> = { ...body };
  for (const key of GATEWAY_BODY_EXTENSIONS) delete forwarded[key];
  const sent: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS[protocol]) {
    const value = headers[name];
    if (value !== undefined) sent[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // Validated above: `model` is a string.
  return { native: { protocol, body: forwarded as PassThroughRequest, headers: sent }, extensions };
}
