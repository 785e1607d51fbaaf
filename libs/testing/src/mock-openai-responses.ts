import type { ServerResponse } from 'node:http';
import type { ParsedJson } from './http';

/**
 * OpenAI's `POST /v1/responses` as the mock answers it (written from the OpenAI API reference): unknown
 * parameters and tool types are refused as OpenAI refuses them, `model` and `input` are required, a
 * `previous_response_id` must name a response this server stored; the answer is the Response object, or its
 * event stream (`event: <type>`, `data` with a `sequence_number`) ending in `response.completed` with the usage.
 * A request with a built-in `web_search` tool gets a `web_search_call` item before the message, as OpenAI answers.
 */
const ALLOWED = new Set([
  'background', 'conversation', 'include', 'input', 'instructions', 'max_output_tokens', 'max_tool_calls', 'metadata', 'model',
  'parallel_tool_calls', 'previous_response_id', 'prompt', 'prompt_cache_key', 'reasoning', 'safety_identifier', 'service_tier',
  'store', 'stream', 'stream_options', 'temperature', 'text', 'tool_choice', 'tools', 'top_logprobs', 'top_p', 'truncation', 'user',
]);
const TOOL_TYPES = new Set([
  'function', 'custom', 'web_search', 'web_search_preview', 'web_search_2025_08_26', 'file_search', 'code_interpreter', 'image_generation',
  'computer_use_preview', 'mcp', 'local_shell',
]);

export interface MockResponsesAnswer {
  text: string[];
  usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens: number } };
}

class Invalid extends Error {
  constructor(
    message: string,
    readonly param: string | null,
    readonly status = 400,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** The responses this mock stored (`store` not false), for `previous_response_id`. */
export class MockResponsesStore {
  private readonly ids = new Set<string>();
  private n = 0;

  nextId(): string {
    this.n += 1;
    return `resp_mock${String(this.n).padStart(4, '0')}`;
  }

  remember(id: string): void {
    this.ids.add(id);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }
}

function validate(body: ParsedJson, store: MockResponsesStore, azure: boolean): void {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Invalid('We could not parse the JSON body of your request.', null);
  for (const k of Object.keys(body)) if (!ALLOWED.has(k)) throw new Invalid(`Unknown parameter: '${k}'.`, k, 400, 'unknown_parameter');
  if (typeof body.model !== 'string' || !body.model) throw new Invalid(azure ? 'Missing required parameter: \'model\' (the deployment name).' : "Missing required parameter: 'model'.", 'model');
  if (body.input === undefined && body.previous_response_id === undefined && body.prompt === undefined) throw new Invalid("Missing required parameter: 'input'.", 'input');
  if (body.tools !== undefined && !Array.isArray(body.tools)) throw new Invalid("Invalid type for 'tools': expected an array.", 'tools', 400, 'invalid_type');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') throw new Invalid("Invalid type for 'stream': expected a boolean.", 'stream', 400, 'invalid_type');
  for (const [i, tool] of ((body.tools ?? []) as { type?: string; name?: string }[]).entries()) {
    if (!tool || typeof tool.type !== 'string' || !TOOL_TYPES.has(tool.type)) throw new Invalid(`Invalid value: '${String(tool?.type)}'. Supported values are: ${[...TOOL_TYPES].map((t) => `'${t}'`).join(', ')}.`, `tools[${i}].type`, 400, 'invalid_value');
    if (tool.type === 'function' && !tool.name) throw new Invalid(`Missing required parameter: 'tools[${i}].name'.`, `tools[${i}].name`);
  }
  if (body.previous_response_id !== undefined && !store.has(body.previous_response_id)) {
    throw new Invalid(`Previous response with id '${String(body.previous_response_id)}' not found.`, 'previous_response_id', 404, 'previous_response_not_found');
  }
}

/** Answers one `/responses` request (validated as OpenAI validates it). */
export function answerResponses(res: ServerResponse, body: ParsedJson, answer: MockResponsesAnswer, store: MockResponsesStore, azure: boolean): void {
  try {
    validate(body, store, azure);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    res.writeHead(err.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: err.message, type: 'invalid_request_error', param: err.param, code: err.code } }));
    return;
  }
  const id = store.nextId();
  if (body.store !== false) store.remember(id);
  const text = answer.text.join('');
  const cached = answer.usage.prompt_tokens_details?.cached_tokens ?? 0;
  const usage = {
    input_tokens: answer.usage.prompt_tokens,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: answer.usage.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: answer.usage.prompt_tokens + answer.usage.completion_tokens,
  };
  const searched = ((body.tools ?? []) as { type: string }[]).some((t) => t.type.startsWith('web_search'));
  const search = { id: `ws_${id}`, type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'mock query' } };
  const message = (status: string, content: unknown[]) => ({ id: `msg_${id}`, type: 'message', status, role: 'assistant', content });
  const part = (t: string) => ({ type: 'output_text', annotations: [], logprobs: [], text: t });
  const response = (status: string, output: unknown[], withUsage: boolean) => ({
    id,
    object: 'response',
    created_at: 1_700_000_000,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: body.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? 'disabled',
    usage: withUsage ? usage : null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  });
  const done = [...(searched ? [search] : []), message('completed', [part(text)])];
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response('completed', done, true)));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  let seq = 0;
  const event = (type: string, fields: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: seq++ })}\n\n`);
  event('response.created', { response: response('in_progress', [], false) });
  event('response.in_progress', { response: response('in_progress', [], false) });
  let index = 0;
  if (searched) {
    event('response.output_item.added', { output_index: index, item: { ...search, status: 'in_progress' } });
    event('response.web_search_call.in_progress', { output_index: index, item_id: search.id });
    event('response.web_search_call.searching', { output_index: index, item_id: search.id });
    event('response.web_search_call.completed', { output_index: index, item_id: search.id });
    event('response.output_item.done', { output_index: index, item: search });
    index += 1;
  }
  const item = { output_index: index, item_id: `msg_${id}` };
  event('response.output_item.added', { output_index: index, item: message('in_progress', []) });
  event('response.content_part.added', { ...item, content_index: 0, part: part('') });
  for (const delta of answer.text) event('response.output_text.delta', { ...item, content_index: 0, delta, logprobs: [] });
  event('response.output_text.done', { ...item, content_index: 0, text, logprobs: [] });
  event('response.content_part.done', { ...item, content_index: 0, part: part(text) });
  event('response.output_item.done', { output_index: index, item: message('completed', [part(text)]) });
  event('response.completed', { response: response('completed', done, true) });
  res.end();
}
