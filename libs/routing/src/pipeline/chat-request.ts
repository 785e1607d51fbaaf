import type { ChatRequest } from '@switchyard/types';
import { chatRequestSchema, GATEWAY_BODY_EXTENSIONS, invalidRequest, zodToGatewayError } from '@switchyard/types';
import type { BodyExtensions } from './request-controls';

/** The model name of a request that named none but a load-balance group or `models` (what the log records as requested). */
export const BALANCED_MODEL = 'load_balance_group';

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
export function parseChatRequest(input: unknown): ParsedChatRequest {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw invalidRequest('The request body must be a JSON object.');
  // A request with a load-balance group (or `models`) may omit `model` (Keywords AI): the group picks it.
  const body = (input as { model?: unknown }).model === undefined && (('load_balance_group' in input) || ('models' in input)) ? { ...input, model: BALANCED_MODEL } : input;
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) throw zodToGatewayError(parsed.error);
  // Validated above: the body is a chat request (forwarded as sent rather than as zod's copy).
  const request = { ...body } as ChatRequest;
  for (const key of GATEWAY_BODY_EXTENSIONS) delete request[key];
  return { request, extensions: parsed.data };
}
