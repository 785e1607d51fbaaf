import { chatRequestSchema, invalidRequest, zodToGatewayError } from '@switchyard/types';

/**
 * The request fields a variant's (or a prompt's) `parameters` may set: sampling, output, tools and streaming. They
 * override the body's.
 */
export const VARIANT_PARAMETERS: ReadonlySet<string> = new Set([
  'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'frequency_penalty', 'presence_penalty', 'stop', 'seed',
  'n', 'logit_bias', 'logprobs', 'top_logprobs', 'response_format', 'tools', 'tool_choice', 'parallel_tool_calls',
  'stream', 'stream_options', 'reasoning_effort',
]);

/**
 * Checks saved parameters when they are saved: known names (`VARIANT_PARAMETERS`), each valid as the chat request's
 * schema says; a 400 naming `<param>.<field>` otherwise.
 */
export function checkParameters(parameters: Record<string, unknown>, param: string): void {
  for (const key of Object.keys(parameters)) {
    if (!VARIANT_PARAMETERS.has(key)) throw invalidRequest(`${param}.${key} is not a parameter a saved configuration may set (allowed: ${[...VARIANT_PARAMETERS].join(', ')}).`, `${param}.${key}`);
  }
  const probe = chatRequestSchema.safeParse({ model: 'probe', messages: [{ role: 'user', content: 'probe' }], ...parameters });
  if (!probe.success) throw zodToGatewayError(probe.error, param);
}

/** What a chosen variant version sets on the request. */
export interface AppliedVariant {
  model: string | null;
  parameters: Readonly<Record<string, unknown>>;
  /** The rendered system prompt ('' or null: none). */
  systemPrompt: string | null;
}

/**
 * Merges a variant into a chat body (a copy): its model and parameters override the body's, its rendered system prompt
 * is prepended as a system message, and `input` (the template variables) is removed.
 */
export function applyVariant(body: Readonly<Record<string, unknown>>, variant: AppliedVariant): Record<string, unknown> {
  const { input: _input, ...out }: Record<string, unknown> = body;
  if (variant.model) out['model'] = variant.model;
  Object.assign(out, variant.parameters);
  if (variant.systemPrompt) out['messages'] = [{ role: 'system', content: variant.systemPrompt }, ...(Array.isArray(body['messages']) ? body['messages'] : [])];
  return out;
}
