import type { ParsedJson } from '../http';
import { createHash, randomBytes } from 'node:crypto';
import { DEFAULT_USAGE, MockProviderServer, MockRejection, pieces, sse, type MockImageFetch, type MockScenario, type RecordedProviderRequest, type SeenImage, type StreamWriter } from './base';

/**
 * A mock of the Anthropic Messages API (`POST /v1/messages`), written from Anthropic's public reference:
 * validates `x-api-key`, `anthropic-version` and the body (required fields, roles, tool_use/tool_result pairing,
 * thinking budget, unknown top-level fields), answers errors as `{"type":"error","error":{type,message}}`,
 * and streams `message_start`, `ping`, `content_block_start/delta/stop`, `message_delta`, `message_stop`.
 */
export class AnthropicMockServer extends MockProviderServer {
  constructor(readonly apiKey = 'sk-ant-test-key') {
    super();
  }

  protected async respond(req: RecordedProviderRequest, scenario: MockScenario) {
    if (req.method !== 'POST' || !req.path.endsWith('/v1/messages')) throw new MockRejection(404, `Not found: ${req.path}`, 'not_found_error');
    if (req.headers['x-api-key'] !== this.apiKey) throw new MockRejection(401, 'invalid x-api-key', 'authentication_error');
    if (!req.headers['anthropic-version']) throw new MockRejection(400, 'anthropic-version: header is required', 'invalid_request_error');
    if (!String(req.headers['content-type'] ?? '').includes('application/json')) throw new MockRejection(400, 'content-type must be application/json', 'invalid_request_error');
    validateAnthropicBody(req.body, 'anthropic', betasOf(req.headers['anthropic-beta']));
    return anthropicAnswer(req.body, scenario);
  }

  protected errorResponse(status: number, message: string, type?: string) {
    return anthropicError(status, message, type);
  }

  protected imagesOf(req: RecordedProviderRequest): Promise<SeenImage[]> {
    return anthropicImages(req.body, (url) => this.fetchUrlImage(url));
  }
}

/** The images of a Messages API request: base64 sources decoded, URL sources fetched (as Anthropic does). */
export async function anthropicImages(body: ParsedJson, fetchImage: MockImageFetch): Promise<SeenImage[]> {
  const out: SeenImage[] = [];
  for (const m of body?.messages ?? []) {
    if (m.role !== 'user' || !Array.isArray(m.content)) continue;
    for (const b of m.content) {
      if (b?.type !== 'image') continue;
      if (b.source?.type === 'base64') out.push({ mime: b.source.media_type, data: Buffer.from(b.source.data, 'base64') });
      else if (b.source?.type === 'url') out.push(await fetchImage(b.source.url));
    }
  }
  return out;
}

/** The signature the Claude mocks give a thinking text (and check on the way back: edited thinking fails). */
export const mockThinkingSignature = (thinking: string): string => `EqQBCgIYAh${createHash('sha256').update(thinking).digest('base64').slice(0, 32)}`;
/** The opaque data of the redacted thinking block the Claude mocks send. */
export const MOCK_REDACTED_THINKING = 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
  413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error', 503: 'api_error',
};

export function anthropicError(status: number, message: string, type?: string) {
  return {
    body: JSON.stringify({ type: 'error', error: { type: type ?? ERROR_TYPES[status] ?? 'api_error', message } }),
    headers: { 'request-id': `req_${randomBytes(8).toString('hex')}` },
  };
}

const TOP_LEVEL = new Set(['model', 'messages', 'max_tokens', 'system', 'metadata', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k', 'tools', 'tool_choice', 'thinking', 'service_tier', 'container', 'mcp_servers', 'output_config']);
/** Fields and roles a beta (the `anthropic-beta` header) opens, as Claude Code sends them. */
const BETA_FIELDS: Record<string, string> = { context_management: 'context-management-' };
const MID_CONVERSATION_SYSTEM = 'mid-conversation-system-';

/** The betas of an `anthropic-beta` header (comma-separated). */
export const betasOf = (header: string | string[] | undefined): string[] => [header ?? []].flat().flatMap((h) => h.split(',')).map((b) => b.trim()).filter(Boolean);
const bad = (message: string): never => {
  throw new MockRejection(400, message, 'invalid_request_error');
};

/** Where Claude is served: Anthropic's API, or a cloud's (the model in the URL, the version in the body). */
export type ClaudePlatform = 'anthropic' | 'vertex' | 'bedrock';
const PLATFORM_VERSION: Record<Exclude<ClaudePlatform, 'anthropic'>, string> = { vertex: 'vertex-2023-10-16', bedrock: 'bedrock-2023-05-31' };

/**
 * The Messages API request rules the mock enforces. Vertex and Bedrock: no `model`, their `anthropic_version`
 * required; Bedrock takes no `stream` (the operation says it) and the betas as `anthropic_beta` in the body.
 */
export function validateAnthropicBody(body: ParsedJson, platform: ClaudePlatform, betas: string[] = []): void {
  if (!body || typeof body !== 'object') bad('Request body must be a JSON object');
  if (platform === 'bedrock') {
    if (body.anthropic_beta !== undefined && !(Array.isArray(body.anthropic_beta) && body.anthropic_beta.every((b: unknown) => typeof b === 'string'))) bad('anthropic_beta: Input should be a valid list of strings');
    betas = [...betas, ...(body.anthropic_beta ?? [])];
  }
  const beta = (prefix: string) => betas.some((b) => b.startsWith(prefix));
  const own = (k: string) => (platform !== 'anthropic' && k === 'anthropic_version') || (platform === 'bedrock' && k === 'anthropic_beta');
  for (const k of Object.keys(body)) {
    if (!TOP_LEVEL.has(k) && !own(k) && !(BETA_FIELDS[k] && beta(BETA_FIELDS[k]))) bad(`${k}: Extra inputs are not permitted`);
  }
  if (platform === 'bedrock' && 'stream' in body) bad('stream: Extra inputs are not permitted');
  if (platform !== 'anthropic') {
    if (body.anthropic_version !== PLATFORM_VERSION[platform]) bad(`anthropic_version: must be ${PLATFORM_VERSION[platform]}`);
    if ('model' in body) bad('model: Extra inputs are not permitted');
  } else if (typeof body.model !== 'string' || !body.model) bad('model: Field required');
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) bad('max_tokens: Field required');
  if (!Array.isArray(body.messages) || !body.messages.length) bad('messages: at least one message is required');
  if (body.system !== undefined && typeof body.system !== 'string' && !(Array.isArray(body.system) && body.system.every((b: ParsedJson) => b?.type === 'text' && typeof b.text === 'string'))) {
    bad('system: Input should be a valid string or a list of text blocks');
  }
  if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) bad('temperature: Input should be less than or equal to 1');
  if (body.stop_sequences !== undefined && (!Array.isArray(body.stop_sequences) || body.stop_sequences.some((s: unknown) => typeof s !== 'string'))) bad('stop_sequences: Input should be a valid list of strings');
  let pendingToolUse: string[] = [];
  body.messages.forEach((m: ParsedJson, i: number) => {
    if (m?.role === 'system' && beta(MID_CONVERSATION_SYSTEM)) {
      if (typeof m.content !== 'string' && !(Array.isArray(m.content) && m.content.every((b: ParsedJson) => b?.type === 'text' && typeof b.text === 'string'))) bad(`messages.${i}.content: a system message holds text`);
      return;
    }
    if (m?.role !== 'user' && m?.role !== 'assistant') bad(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    const blocks: ParsedJson[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? m.content : bad(`messages.${i}.content: Field required`);
    if (m.role === 'user' && pendingToolUse.length) {
      const results = blocks.filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id);
      const missing = pendingToolUse.filter((id) => !results.includes(id));
      if (missing.length) bad(`messages.${i}: tool_use ids were found without tool_result blocks immediately after: ${missing.join(', ')}`);
    }
    pendingToolUse = [];
    for (const [j, b] of blocks.entries()) {
      switch (b?.type) {
        case 'text':
          if (typeof b.text !== 'string') bad(`messages.${i}.content.${j}.text: Field required`);
          break;
        case 'image':
          if (m.role !== 'user') bad(`messages.${i}.content.${j}: images are only allowed in user messages`);
          if (b.source?.type === 'base64') {
            if (!['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(b.source.media_type)) bad(`messages.${i}.content.${j}.source.media_type: unsupported`);
            if (typeof b.source.data !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(b.source.data)) bad(`messages.${i}.content.${j}.source.data: invalid base64`);
          } else if (b.source?.type === 'url') {
            if (!/^https?:\/\//.test(b.source.url ?? '')) bad(`messages.${i}.content.${j}.source.url: invalid URL`);
          } else bad(`messages.${i}.content.${j}.source: Input tag does not match any of the expected tags`);
          break;
        case 'tool_use':
          if (m.role !== 'assistant') bad(`messages.${i}.content.${j}: tool_use is only allowed in assistant messages`);
          if (typeof b.id !== 'string' || typeof b.name !== 'string' || !b.input || typeof b.input !== 'object') bad(`messages.${i}.content.${j}: tool_use needs id, name and an object input`);
          pendingToolUse.push(b.id);
          break;
        case 'tool_result':
          if (m.role !== 'user') bad(`messages.${i}.content.${j}: tool_result is only allowed in user messages`);
          if (typeof b.tool_use_id !== 'string') bad(`messages.${i}.content.${j}.tool_use_id: Field required`);
          break;
        case 'thinking':
          if (m.role !== 'assistant') bad(`messages.${i}.content.${j}: thinking is only allowed in assistant messages`);
          if (typeof b.thinking !== 'string') bad(`messages.${i}.content.${j}.thinking: Field required`);
          if (typeof b.signature !== 'string') bad(`messages.${i}.content.${j}.signature: Field required`);
          if (b.signature !== mockThinkingSignature(b.thinking)) bad(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`);
          break;
        case 'document':
          if (m.role !== 'user') bad(`messages.${i}.content.${j}: documents are only allowed in user messages`);
          if (!['base64', 'text', 'url', 'content', 'file'].includes(b.source?.type)) bad(`messages.${i}.content.${j}.source.type: invalid`);
          break;
        case 'redacted_thinking':
          if (m.role !== 'assistant') bad(`messages.${i}.content.${j}: redacted_thinking is only allowed in assistant messages`);
          if (typeof b.data !== 'string' || !b.data) bad(`messages.${i}.content.${j}.data: Field required`);
          break;
        default:
          bad(`messages.${i}.content.${j}.type: Input tag '${b?.type}' does not match any of the expected tags`);
      }
    }
  });
  // With thinking on, the assistant turn whose tool_use the last user turn answers must start with its thinking.
  const last = body.messages.length - 1;
  const answered = body.messages[last - 1];
  const hasBlock = (m: ParsedJson, type: string) => Array.isArray(m?.content) && m.content.some((b: ParsedJson) => b?.type === type);
  if (body.thinking?.type === 'enabled' && body.messages[last].role === 'user' && hasBlock(body.messages[last], 'tool_result') && answered?.role === 'assistant' && hasBlock(answered, 'tool_use')) {
    const first = answered.content[0];
    if (first?.type !== 'thinking' && first?.type !== 'redacted_thinking') {
      bad(
        `messages.${last - 1}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first?.type}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`.`,
      );
    }
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) bad('tools: Input should be a valid list');
    body.tools.forEach((t: ParsedJson, i: number) => {
      // Anthropic's own (server and client) tools: a versioned type and their fixed name, no input_schema.
      if (t?.type !== undefined && t.type !== 'custom') {
        if (typeof t.type !== 'string' || !SERVER_TOOL_TYPE.test(t.type)) bad(`tools.${i}.type: Input tag '${String(t.type)}' does not match any of the expected tags`);
        if (typeof t.name !== 'string') bad(`tools.${i}.name: Field required`);
        return;
      }
      if (typeof t.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) bad(`tools.${i}.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`);
      if (t.input_schema?.type !== 'object') bad(`tools.${i}.input_schema.type: Input should be 'object'`);
    });
  }
  if (body.tool_choice !== undefined) {
    if (!['auto', 'any', 'tool', 'none'].includes(body.tool_choice?.type)) bad('tool_choice.type: invalid');
    if (body.tool_choice.type === 'tool' && !body.tools?.some((t: ParsedJson) => t.name === body.tool_choice.name)) bad('tool_choice.name: tool not found in tools');
    if (body.thinking?.type === 'enabled' && ['any', 'tool'].includes(body.tool_choice.type)) bad('Thinking may not be enabled when tool_choice forces tool use.');
  }
  if (body.thinking !== undefined) {
    if (body.thinking.type === 'enabled' && (!Number.isInteger(body.thinking.budget_tokens) || body.thinking.budget_tokens < 1024)) bad('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    if (body.thinking.type === 'enabled' && body.thinking.budget_tokens >= body.max_tokens) bad('`max_tokens` must be greater than `thinking.budget_tokens`');
  }
}

/** The versioned types of Anthropic's own tools (web search and fetch, code execution, bash, text editor, computer use, memory). */
const SERVER_TOOL_TYPE = /^(web_search|web_fetch|code_execution|bash|text_editor|computer|memory|tool_search_tool_regex|tool_search_tool_bm25)_\d{8}$/;

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown; raw: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

function plan(body: ParsedJson, scenario: MockScenario): { blocks: Block[]; stopReason: string; stopSequence: string | null } {
  const reply = scenario.reply ?? { kind: 'text' };
  const toolId = () => `toolu_${randomBytes(12).toString('hex')}`;
  let blocks: Block[] = [];
  let stopReason = 'end_turn';
  switch (reply.kind) {
    case 'text':
      blocks = [{ type: 'text', text: reply.text ?? 'Hello! How can I help?' }];
      break;
    case 'length':
      blocks = [{ type: 'text', text: reply.text ?? 'This answer was cut' }];
      stopReason = 'max_tokens';
      break;
    case 'tool_calls':
      if (body.thinking?.type === 'enabled' && reply.reasoning) blocks.push({ type: 'thinking', thinking: reply.reasoning, signature: mockThinkingSignature(reply.reasoning) });
      if (body.thinking?.type === 'enabled' && reply.redacted) blocks.push({ type: 'redacted_thinking', data: MOCK_REDACTED_THINKING });
      if (reply.text) blocks.push({ type: 'text', text: reply.text });
      for (const c of reply.calls) blocks.push({ type: 'tool_use', id: c.id ?? toolId(), name: c.name, input: JSON.parse(c.arguments), raw: c.arguments });
      stopReason = 'tool_use';
      break;
    case 'json': {
      const forced = body.tool_choice?.type === 'tool' ? body.tool_choice.name : body.tool_choice?.type === 'any' ? body.tools?.[body.tools.length - 1]?.name : undefined;
      const raw = JSON.stringify(reply.value);
      if (forced) {
        blocks = [{ type: 'tool_use', id: toolId(), name: forced, input: reply.value, raw }];
        stopReason = 'tool_use';
      } else blocks = [{ type: 'text', text: raw }];
      break;
    }
    case 'reasoning':
      if (body.thinking?.type === 'enabled') blocks.push({ type: 'thinking', thinking: reply.reasoning, signature: mockThinkingSignature(reply.reasoning) });
      blocks.push({ type: 'text', text: reply.text });
      break;
    case 'finish':
      blocks = [{ type: 'text', text: reply.text ?? '' }];
      stopReason = reply.reason;
      break;
    case 'describe_images': // resolved to text before planning
      blocks = [{ type: 'text', text: '' }];
      break;
  }
  // Stop sequences end the text where they occur.
  let stopSequence: string | null = null;
  for (const b of blocks) {
    if (b.type !== 'text') continue;
    for (const s of (body.stop_sequences ?? []) as string[]) {
      const at = b.text.indexOf(s);
      if (at >= 0) {
        b.text = b.text.slice(0, at);
        stopReason = 'stop_sequence';
        stopSequence = s;
      }
    }
  }
  return { blocks, stopReason, stopSequence };
}

function usageOf(scenario: MockScenario) {
  const u = scenario.usage ?? DEFAULT_USAGE;
  return {
    input_tokens: u.input - (u.cacheRead ?? 0) - (u.cacheWrite ?? 0),
    cache_creation_input_tokens: u.cacheWrite ?? 0,
    cache_read_input_tokens: u.cacheRead ?? 0,
    output_tokens: u.output,
  };
}

/** The JSON message or the SSE stream for a valid request (shared with the Vertex mock's rawPredict and Bedrock's InvokeModel). */
export function anthropicAnswer(body: ParsedJson, scenario: MockScenario, model: string = body.model ?? 'claude-vertex'): { json: unknown } | { stream: StreamWriter } {
  const { blocks, stopReason, stopSequence } = plan(body, scenario);
  const id = `msg_${randomBytes(12).toString('hex')}`;
  const usage = usageOf(scenario);
  if (!body.stream) {
    return {
      json: {
        id, type: 'message', role: 'assistant', model,
        content: blocks.map((b) => (b.type === 'tool_use' ? { type: 'tool_use', id: b.id, name: b.name, input: b.input } : b)),
        stop_reason: stopReason, stop_sequence: stopSequence, usage,
      },
    };
  }
  const events: string[] = [
    sse('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } }),
    sse('ping', { type: 'ping' }),
  ];
  let firstContentEvents = 0;
  blocks.forEach((b, index) => {
    if (b.type === 'text') {
      events.push(sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      for (const p of pieces(b.text)) {
        events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: p } }));
        firstContentEvents ||= events.length;
      }
    } else if (b.type === 'tool_use') {
      events.push(sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } }));
      firstContentEvents ||= events.length;
      events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } }));
      for (const p of pieces(b.raw, 7)) events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: p } }));
    } else if (b.type === 'redacted_thinking') {
      events.push(sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: b.data } }));
      firstContentEvents ||= events.length;
    } else {
      events.push(sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '' } }));
      for (const p of pieces(b.thinking)) {
        events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: p } }));
        firstContentEvents ||= events.length;
      }
      events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: b.signature } }));
    }
    events.push(sse('content_block_stop', { type: 'content_block_stop', index }));
  });
  events.push(sse('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: stopSequence }, usage: { output_tokens: usage.output_tokens } }));
  events.push(sse('message_stop', { type: 'message_stop' }));
  return {
    stream: {
      events,
      contentType: 'text/event-stream; charset=utf-8',
      terminalEvents: 2,
      firstContentEvents: firstContentEvents || 3,
      malformed: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_\n\n',
      errorEvent: (type, message) => sse('error', { type: 'error', error: { type: type ?? 'overloaded_error', message } }),
    },
  };
}
