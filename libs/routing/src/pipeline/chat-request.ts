import type { ChatRequest } from '@switchyard/types';
import { chatRequestSchema, GATEWAY_BODY_EXTENSIONS, invalidRequest, zodToGatewayError } from '@switchyard/types';
import type { BodyExtensions } from './request-controls';

export interface ParsedChatRequest {
  /** What is forwarded: the body as sent (unknown fields and their order kept), minus the gateway's extensions. */
  request: ChatRequest;
  /** The gateway's own body fields, validated (for parseRequestControls). */
  extensions: BodyExtensions;
}

/**
 * Stage 2, parse: validates a `POST /v1/chat/completions` body once, at the edge (a 400 in the OpenAI shape
 * naming the field). Nothing after this reads the body again.
 */
export function parseChatRequest(body: unknown): ParsedChatRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) throw zodToGatewayError(parsed.error);
  // Validated above: the body is a chat request (forwarded as sent rather than as zod's copy).
  const request = { ...body } as ChatRequest;
  for (const key of GATEWAY_BODY_EXTENSIONS) delete request[key];
  return { request, extensions: parsed.data };
}
