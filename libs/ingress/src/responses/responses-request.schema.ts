import { z } from 'zod';
import { chatRequestSchema, GATEWAY_BODY_EXTENSIONS, invalidRequest, parseOr400, type GatewayBodyExtensions } from '@switchyard/types';
import type { ConversationItem, FunctionTool, ResponsesToolChoice, TextFormat } from './responses.types';

/**
 * Validation of `POST /v1/responses` bodies. Strict, as OpenAI is: an unknown field is a 400 naming it. The
 * fields the translation through the chat pipeline cannot honour are refused by name (`REFUSED_FIELDS`),
 * built-in tools and non-function items by their type; the gateway's body extensions are the chat endpoint's.
 */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const IMAGE_URL = /^(https?:\/\/|data:image\/[a-z0-9.+-]+;base64,)/i;

const inputText = z.object({ type: z.literal('input_text'), text: z.string() }).strict();
const inputImage = z
  .object({
    type: z.literal('input_image'),
    image_url: z.string().regex(IMAGE_URL, 'must be an http(s) URL or a base64 data URL (data:image/...;base64,...)').nullable().optional(),
    file_id: z.null().optional(),
    detail: z.enum(['low', 'high', 'auto', 'original']).optional(),
  })
  .strict()
  .refine((p) => !!p.image_url, { message: 'needs image_url (file_id is not supported by the gateway)', path: ['image_url'] });
// `parsed` and `parsed_arguments` are added by the openai SDK's stream and parse helpers to the output items a
// client sends back as input: accepted and not read.
const outputText = z
  .object({ type: z.literal('output_text'), text: z.string(), annotations: z.array(z.unknown()).optional(), logprobs: z.array(z.unknown()).optional(), parsed: z.unknown().optional() })
  .strict();
const refusal = z.object({ type: z.literal('refusal'), refusal: z.string() }).strict();

const PART_TYPES = ['input_text', 'input_image', 'output_text', 'refusal'] as const;
const contentPart = z.discriminatedUnion('type', [inputText, inputImage, outputText, refusal]);
const itemStatus = z.enum(['in_progress', 'completed', 'incomplete']);

const messageItem = z
  .object({
    type: z.literal('message'),
    id: z.string().optional(),
    role: z.enum(['user', 'assistant', 'system', 'developer']),
    content: z.union([z.string(), z.array(contentPart)]),
    status: itemStatus.optional(),
    phase: z.enum(['commentary', 'final_answer']).nullable().optional(),
  })
  .strict();
const functionCallItem = z
  .object({
    type: z.literal('function_call'),
    id: z.string().optional(),
    call_id: z.string().min(1),
    name: z.string().regex(FUNCTION_NAME, 'must be 1-64 letters, digits, underscores or dashes'),
    arguments: z.string(),
    status: itemStatus.optional(),
    parsed_arguments: z.unknown().optional(),
  })
  .strict();
const functionCallOutputItem = z
  .object({
    type: z.literal('function_call_output'),
    id: z.string().nullable().optional(),
    call_id: z.string().min(1),
    output: z.union([z.string(), z.array(z.discriminatedUnion('type', [inputText, inputImage]))]),
    status: itemStatus.nullable().optional(),
  })
  .strict();
const reasoningItem = z
  .object({
    type: z.literal('reasoning'),
    id: z.string(),
    summary: z.array(z.object({ type: z.literal('summary_text'), text: z.string() }).strict()),
    content: z.array(z.object({ type: z.literal('reasoning_text'), text: z.string() }).strict()).optional(),
    encrypted_content: z.string().nullable().optional(),
    status: itemStatus.optional(),
  })
  .strict();

const ITEM_SCHEMAS = { message: messageItem, function_call: functionCallItem, function_call_output: functionCallOutputItem, reasoning: reasoningItem } as const;

const functionTool = z
  .object({
    type: z.literal('function'),
    name: z.string().regex(FUNCTION_NAME, 'must be 1-64 letters, digits, underscores or dashes'),
    description: z.string().nullable().optional(),
    parameters: z.record(z.string(), z.unknown()).nullable().optional(),
    strict: z.boolean().nullable().optional(),
  })
  .strict();

const toolChoice = z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), name: z.string().regex(FUNCTION_NAME) }).strict()]);

const textFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).strict(),
  z.object({ type: z.literal('json_object') }).strict(),
  z
    .object({
      type: z.literal('json_schema'),
      name: z.string().regex(FUNCTION_NAME, 'must be 1-64 letters, digits, underscores or dashes'),
      schema: z.record(z.string(), z.unknown()),
      description: z.string().optional(),
      strict: z.boolean().nullable().optional(),
    })
    .strict(),
]);

const nullableNumber = (min: number, max: number) => z.number().min(min).max(max).nullable().optional();
const extensionShape = Object.fromEntries(GATEWAY_BODY_EXTENSIONS.map((k) => [k, chatRequestSchema.shape[k]])) as Pick<
  typeof chatRequestSchema.shape,
  (typeof GATEWAY_BODY_EXTENSIONS)[number]
>;

/**
 * Fields of the Responses API the translation does not carry: refused with a 400 naming them when set to
 * anything but null (`include: []` and `include: ["reasoning.encrypted_content"]` are allowed too).
 */
const REFUSED_FIELDS = [
  'include',
  'conversation',
  'prompt',
  'prompt_cache_key',
  'prompt_cache_options',
  'prompt_cache_retention',
  'safety_identifier',
  'top_logprobs',
  'context_management',
  'moderation',
] as const;

const responsesRequestSchema = z
  .object({
    model: z.string().min(1, 'is required').max(512),
    input: z.union([z.string(), z.array(z.record(z.string(), z.unknown()))]),
    instructions: z.string().nullable().optional(),
    // Each tool and item is checked on its own below, so that a built-in tool or an unsupported item is named.
    tools: z.array(z.record(z.string(), z.unknown())).max(512).optional(),
    tool_choice: z.union([toolChoice, z.object({ type: z.string() }).loose()]).optional(),
    text: z.object({ format: textFormat.optional(), verbosity: z.null().optional() }).strict().optional(),
    reasoning: z
      .object({ effort: z.enum(['minimal', 'low', 'medium', 'high']).nullable().optional(), summary: z.null().optional(), generate_summary: z.null().optional() })
      .strict()
      .nullable()
      .optional(),
    max_output_tokens: z.number().int().min(1).nullable().optional(),
    metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
    temperature: nullableNumber(0, 2),
    top_p: nullableNumber(0, 1),
    parallel_tool_calls: z.boolean().nullable().optional(),
    user: z.string().max(512).optional(),
    store: z.boolean().nullable().optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_obfuscation: z.boolean().optional() }).strict().nullable().optional(),
    previous_response_id: z.string().min(1).nullable().optional(),
    truncation: z.literal('disabled').nullable().optional(),
    background: z.literal(false).nullable().optional(),
    service_tier: z.enum(['auto', 'default']).nullable().optional(),
    // Checked by name before the schema runs (only null or an empty list get here).
    ...Object.fromEntries(REFUSED_FIELDS.map((f) => [f, z.unknown().optional()])),
    ...extensionShape,
  })
  .strict()
  .superRefine((req, ctx) => {
    if (req.metadata && Object.keys(req.metadata).length > 16) ctx.addIssue({ code: 'custom', path: ['metadata'], message: 'must have at most 16 entries' });
  });


/** A validated `POST /v1/responses` body, its tools and items already narrowed to what the gateway translates. */
export interface ResponsesRequest extends GatewayBodyExtensions {
  model: string;
  input: ConversationItem[];
  instructions: string | null;
  tools: FunctionTool[];
  tool_choice: ResponsesToolChoice | undefined;
  text_format: TextFormat | undefined;
  reasoning_effort: 'minimal' | 'low' | 'medium' | 'high' | null;
  max_output_tokens: number | null;
  metadata: Record<string, string> | null;
  temperature: number | null;
  top_p: number | null;
  parallel_tool_calls: boolean | null;
  user: string | undefined;
  store: boolean;
  stream: boolean;
  previous_response_id: string | null;
}

/** Validates a `POST /v1/responses` body (a 400 in the OpenAI shape naming the field). */
export function parseResponsesRequest(body: unknown): ResponsesRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
  const raw = body as Record<string, unknown>;
  for (const field of REFUSED_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
    // Signed thinking always comes back in `encrypted_content`: asking for it is honoured.
    if (field === 'include' && Array.isArray(value) && value.every((v) => v === 'reasoning.encrypted_content')) continue;
    throw invalidRequest(`'${field}' is not supported by the gateway's Responses API.`, field, 'unsupported_parameter');
  }
  const req = parseOr400(responsesRequestSchema, raw);
  if (req.tool_choice !== undefined && !isSupportedToolChoice(req.tool_choice)) {
    throw invalidRequest(`tool_choice of type '${String((req.tool_choice as { type: string }).type)}' is not supported by the gateway; use auto, none, required or a function.`, 'tool_choice', 'unsupported_parameter');
  }
  const tools = (req.tools ?? []).map(parseTool);
  const choice = req.tool_choice as ResponsesToolChoice | undefined;
  if (choice && typeof choice === 'object' && !tools.some((t) => t.name === choice.name)) {
    throw invalidRequest('tool_choice names a function that is not in tools.', 'tool_choice');
  }
  const extensions: GatewayBodyExtensions = {};
  for (const key of GATEWAY_BODY_EXTENSIONS) if (req[key] !== undefined) (extensions as Record<string, unknown>)[key] = req[key];
  return {
    ...extensions,
    model: req.model,
    input: typeof req.input === 'string' ? [{ type: 'message', role: 'user', content: req.input }] : req.input.map(parseItem),
    instructions: req.instructions ?? null,
    tools,
    tool_choice: choice,
    text_format: req.text?.format,
    reasoning_effort: req.reasoning?.effort ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    metadata: req.metadata ?? null,
    temperature: req.temperature ?? null,
    top_p: req.top_p ?? null,
    parallel_tool_calls: req.parallel_tool_calls ?? null,
    user: req.user,
    store: req.store ?? true,
    stream: req.stream ?? false,
    previous_response_id: req.previous_response_id ?? null,
  };
}

const isSupportedToolChoice = (choice: unknown): boolean => typeof choice === 'string' || toolChoice.safeParse(choice).success;

function parseTool(tool: Record<string, unknown>, i: number): FunctionTool {
  if (tool['type'] !== 'function') {
    throw invalidRequest(
      `tools[${i}]: the built-in tool '${String(tool['type'])}' is not available through the gateway's Responses API; only function tools are supported.`,
      `tools[${i}].type`,
      'unsupported_tool',
    );
  }
  return parseOr400(functionTool, tool, `tools[${i}]`);
}

/** One input item: messages (`type` may be left out), function calls and their outputs, reasoning; anything else is named in a 400. */
function parseItem(item: Record<string, unknown>, i: number): ConversationItem {
  const type = item['type'] ?? ('role' in item ? 'message' : undefined);
  const schema = ITEM_SCHEMAS[type as keyof typeof ITEM_SCHEMAS];
  if (!schema) {
    throw invalidRequest(`input[${i}]: items of type '${String(type)}' are not supported by the gateway's Responses API.`, `input[${i}].type`, 'unsupported_item');
  }
  if (type === 'message' && Array.isArray(item['content'])) {
    (item['content'] as Record<string, unknown>[]).forEach((part, j) => {
      if (!PART_TYPES.includes(part['type'] as (typeof PART_TYPES)[number])) {
        throw invalidRequest(`input[${i}].content[${j}]: content of type '${String(part['type'])}' is not supported by the gateway.`, `input[${i}].content[${j}].type`, 'unsupported_content');
      }
      // Each part on its own, so that a 400 names the part's field rather than the whole content.
      parseOr400(contentPart, part, `input[${i}].content[${j}]`);
    });
  }
  return parseOr400(schema, { ...item, type }, `input[${i}]`) as ConversationItem;
}
