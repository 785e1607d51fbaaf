import { z } from 'zod';
import { invalidRequest, zodToGatewayError } from '@switchyard/types';
import { VARIANT_PARAMETERS } from './config-variant';

/** The Keywords AI `prompt` body field. */
export const promptFieldSchema = z
  .object({
    prompt_id: z.string().min(1).max(200),
    variables: z.record(z.string(), z.unknown()).optional(),
    version: z.union([z.number().int().min(1), z.literal('latest')]).optional(),
    override: z.boolean().optional(),
    override_params: z.record(z.string(), z.unknown()).optional(),
    override_config: z.object({ messages_override_mode: z.enum(['override', 'append']).optional() }).strict().optional(),
    echo: z.boolean().optional(),
  })
  .strict();

export type PromptField = z.infer<typeof promptFieldSchema>;

/** `prompt` validated; a 400 naming `prompt.<field>`. `override_params` may set the model, the messages and the saved parameters' fields. */
export function parsePromptField(raw: unknown): PromptField {
  const parsed = promptFieldSchema.safeParse(raw);
  if (!parsed.success) throw zodToGatewayError(parsed.error, 'prompt');
  for (const key of Object.keys(parsed.data.override_params ?? {})) {
    if (key !== 'model' && key !== 'messages' && !VARIANT_PARAMETERS.has(key)) throw invalidRequest(`prompt.override_params.${key} is not a field a prompt's parameters may override.`, `prompt.override_params.${key}`);
  }
  return parsed.data;
}

/** A saved prompt version, its messages rendered with `prompt.variables`. */
export interface RenderedPrompt {
  messages: readonly Record<string, unknown>[];
  model: string | null;
  parameters: Readonly<Record<string, unknown>>;
}

/**
 * Merges a saved prompt into a chat body (a copy, without `prompt`), in this precedence, lowest first:
 * - `override` false (the default): the prompt's parameters, then the request's fields; the model is the request's
 *   when it sends one, else the prompt's; the messages are the prompt's followed by the request's;
 * - `override` true: the request's fields, then the prompt's parameters; the prompt's model (when it has one) and its
 *   messages replace the request's;
 * - then `override_params` over both: its fields replace, its `messages` replace the result's
 *   (`override_config.messages_override_mode: "override"`, the default) or are appended to them (`"append"`).
 */
export function applyPrompt(body: Readonly<Record<string, unknown>>, field: PromptField, saved: RenderedPrompt): Record<string, unknown> {
  const { prompt: _prompt, ...request }: Record<string, unknown> = body;
  const requestMessages = Array.isArray(request['messages']) ? (request['messages'] as unknown[]) : [];
  const out: Record<string, unknown> = field.override
    ? { ...request, ...saved.parameters, model: saved.model ?? request['model'], messages: [...saved.messages] }
    : { ...saved.parameters, ...request, model: request['model'] ?? saved.model, messages: [...saved.messages, ...requestMessages] };
  if (out['model'] === undefined || out['model'] === null) delete out['model'];
  const { messages: overrideMessages, ...overrideRest } = field.override_params ?? {};
  Object.assign(out, overrideRest);
  if (overrideMessages !== undefined) {
    if (!Array.isArray(overrideMessages)) throw invalidRequest('prompt.override_params.messages must be an array of messages.', 'prompt.override_params.messages');
    out['messages'] = field.override_config?.messages_override_mode === 'append' ? [...(out['messages'] as unknown[]), ...overrideMessages] : overrideMessages;
  }
  return out;
}
