import { z } from 'zod';
import type { ChatRequest, ChatRequestBody, GatewayBodyExtensions } from './chat-completions.types';

/**
 * Validation of `POST /v1/chat/completions` bodies: strict on the fields the gateway and providers
 * rely on, loose elsewhere (unknown fields pass through to the upstream untouched).
 */
const textPart = z.object({ type: z.literal('text'), text: z.string() }).loose();
const imagePart = z
  .object({
    type: z.literal('image_url'),
    image_url: z
      .object({
        url: z.string().refine((u) => /^(https?:\/\/|data:image\/[a-z0-9.+-]+;base64,)/i.test(u), {
          message: 'must be an http(s) URL or a base64 data URL (data:image/...;base64,...)',
        }),
        detail: z.enum(['auto', 'low', 'high']).optional(),
      })
      .loose(),
  })
  .loose();
const otherPart = z.object({ type: z.enum(['input_audio', 'file', 'refusal']) }).loose();
const contentPart = z.discriminatedUnion('type', [textPart, imagePart, otherPart]);
const content = z.union([z.string(), z.array(contentPart)]);

const toolCall = z
  .object({
    id: z.string().min(1),
    type: z.literal('function'),
    function: z.object({ name: z.string().min(1), arguments: z.string() }).loose(),
  })
  .loose();

const message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content, name: z.string().optional() }).loose(),
  z.object({ role: z.literal('developer'), content, name: z.string().optional() }).loose(),
  z.object({ role: z.literal('user'), content, name: z.string().optional() }).loose(),
  z
    .object({
      role: z.literal('assistant'),
      content: content.nullable().optional(),
      tool_calls: z.array(toolCall).optional(),
      name: z.string().optional(),
    })
    .loose(),
  z.object({ role: z.literal('tool'), content, tool_call_id: z.string().min(1) }).loose(),
  z.object({ role: z.literal('function'), content: z.string().nullable(), name: z.string() }).loose(),
]);

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const jsonSchemaObject = z.record(z.string(), z.unknown()).refine((s) => s['type'] === undefined || typeof s['type'] === 'string' || Array.isArray(s['type']), {
  message: 'must be a JSON Schema object',
});

const tool = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: z.string().regex(FUNCTION_NAME, 'must be 1-64 letters, digits, underscores or dashes'),
        description: z.string().optional(),
        parameters: jsonSchemaObject.optional(),
        strict: z.boolean().nullable().optional(),
      })
      .loose(),
  })
  .loose();

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().regex(FUNCTION_NAME) }) }).loose(),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).loose(),
  z.object({ type: z.literal('json_object') }).loose(),
  z
    .object({
      type: z.literal('json_schema'),
      json_schema: z
        .object({
          name: z.string().regex(FUNCTION_NAME, 'must be 1-64 letters, digits, underscores or dashes'),
          description: z.string().optional(),
          schema: jsonSchemaObject.optional(),
          strict: z.boolean().nullable().optional(),
        })
        .loose(),
    })
    .loose(),
]);

/** A Keywords AI identifier: a string or a number (recorded as its text). */
const identifier = z.union([z.string().max(512), z.number()]);

const nullableNumber = (min: number, max: number) => z.number().min(min).max(max).nullable().optional();

/** Where a sticky group reads its key: the customer identifier or one metadata key. */
export const STICKY_KEY = /^(customer_identifier|metadata\.[A-Za-z0-9_.-]{1,128})$/;

/** Inline members of a group: a model name and a weight; provider credentials in the body are refused (use a connection). */
export const loadBalanceMemberSchema = z
  .object({
    model: z.string().min(1).max(512),
    weight: z.number().min(0).max(1_000_000).optional(),
    credentials: z.unknown().optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.credentials !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['credentials'], message: 'is not accepted: provider keys live in connections; name one as @connection-slug/model' });
    }
  });

export const loadBalanceStrategySchema = z.enum(['weighted', 'least-latency', 'sticky']);

export const loadBalanceGroupSchema = z
  .object({
    group_id: z.string().min(1).max(200).optional(),
    models: z.array(loadBalanceMemberSchema).min(1).max(20).optional(),
    strategy: loadBalanceStrategySchema.optional(),
    sticky_key: z.string().regex(STICKY_KEY, 'must be customer_identifier or metadata.<key>').optional(),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (!g.group_id && !g.models) ctx.addIssue({ code: 'custom', path: [], message: 'needs group_id or models' });
    if (g.models && !g.models.some((m) => (m.weight ?? 1) > 0)) ctx.addIssue({ code: 'custom', path: ['models'], message: 'needs a member with a weight above 0' });
  });

/** The gateway's body extensions (Keywords AI style), validated on every endpoint and removed before forwarding. */
export const gatewayExtensionFields = {
  fallback_models: z.array(z.string().min(1)).max(10).optional(),
  load_balance_group: loadBalanceGroupSchema.optional(),
  disable_fallback: z.boolean().optional(),
  models: z.array(z.string().min(1)).min(1).max(20).optional(),
  exclude_models: z.array(z.string().min(1)).max(50).optional(),
  exclude_providers: z.array(z.string().min(1)).max(50).optional(),
  retry_params: z
    .object({ retry_enabled: z.boolean().optional(), num_retries: z.number().int().min(0).max(4).optional(), retry_after: z.number().min(0).optional() })
    .loose()
    .optional(),
  cache_enabled: z.boolean().optional(),
  cache_ttl: z.number().int().min(0).optional(),
  cache_options: z.unknown().optional(),
  customer_identifier: identifier.optional(),
  thread_identifier: identifier.optional(),
  custom_identifier: identifier.optional(),
  customer_params: z.unknown().optional(),
  disable_log: z.boolean().optional(),
};

export const chatRequestSchema = z
  .object({
    model: z.string().min(1, 'is required').max(512),
    messages: z.array(message).min(1, 'must contain at least one message'),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    tools: z.array(tool).max(512).optional(),
    tool_choice: toolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: responseFormat.optional(),
    temperature: nullableNumber(0, 2),
    top_p: nullableNumber(0, 1),
    n: z.number().int().min(1).max(128).nullable().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
    max_tokens: z.number().int().min(1).nullable().optional(),
    max_completion_tokens: z.number().int().min(1).nullable().optional(),
    presence_penalty: nullableNumber(-2, 2),
    frequency_penalty: nullableNumber(-2, 2),
    logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullable().optional(),
    seed: z.number().int().nullable().optional(),
    logprobs: z.boolean().nullable().optional(),
    top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
    reasoning_effort: z.enum(['minimal', 'low', 'medium', 'high']).nullable().optional(),
    user: z.string().max(512).optional(),
    // Free-form (Keywords AI style): forwarded to OpenAI and Azure, which define it, and recorded in the log.
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
    // Gateway body extensions (removed before forwarding); `mock_response` is chat's own.
    ...gatewayExtensionFields,
    mock_response: z.string().max(1_000_000).optional(),
  })
  .loose()
  .superRefine((req, ctx) => {
    if (req.tool_choice && typeof req.tool_choice === 'object' && !req.tools?.some((t) => t.function.name === (req.tool_choice as { function: { name: string } }).function.name)) {
      ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: 'names a function that is not in tools' });
    }
    if (req.top_logprobs != null && !req.logprobs) {
      ctx.addIssue({ code: 'custom', path: ['top_logprobs'], message: 'requires logprobs to be true' });
    }
  });

/** Body fields that belong to the gateway, never forwarded upstream. */
export const GATEWAY_BODY_EXTENSIONS = [
  'fallback_models',
  'load_balance_group',
  'disable_fallback',
  'models',
  'exclude_models',
  'exclude_providers',
  'retry_params',
  'cache_enabled',
  'cache_ttl',
  'cache_options',
  'customer_identifier',
  'thread_identifier',
  'custom_identifier',
  'customer_params',
  'disable_log',
  'mock_response',
] as const satisfies readonly (keyof GatewayBodyExtensions)[];

// Compile-time checks that the schema and the wire types cannot drift apart: a validated body is a
// ChatRequestBody, every named field of the wire types is validated, and every extension is removed.
type Assert<T extends true> = T;
type NamedKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
type _ValidatedBodyIsChatRequestBody = Assert<z.output<typeof chatRequestSchema> extends ChatRequestBody ? true : false>;
type _EveryRequestFieldIsValidated = Assert<Exclude<NamedKeys<ChatRequestBody>, keyof typeof chatRequestSchema.shape> extends never ? true : false>;
type _EveryExtensionIsRemoved = Assert<Exclude<keyof GatewayBodyExtensions, (typeof GATEWAY_BODY_EXTENSIONS)[number]> extends never ? true : false>;
type _ExtensionsAreNotWireFields = Assert<Extract<keyof GatewayBodyExtensions, NamedKeys<ChatRequest>> extends never ? true : false>;
