import type { ParsedJson } from './http';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { answerEndpoint, formOf, OTHER_ENDPOINTS } from './mock-openai-endpoints';
import { answerResponses, MockResponsesStore } from './mock-openai-responses';
import { DEFAULT_USAGE, describeImages, pieces, sleepWhileOpen, type MockImageFetch, type MockScenario, type SeenImage } from './mock-providers/base';

/** What the mock does with one request. Scripts are consumed in order; the default applies when none is queued. */
export interface MockScript {
  /** Answer with this HTTP error status and an OpenAI error body. */
  status?: number;
  errorMessage?: string;
  retryAfter?: string;
  delayBeforeHeadersMs?: number;
  /** Assistant text; streamed as one chunk per element when an array. */
  content?: string | string[];
  /** Tool calls, each with its arguments streamed in the given fragments. */
  toolCalls?: { id?: string; name: string; arguments: string[] }[];
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  usage?: MockOpenAIUsage;
  chunkDelayMs?: number;
  /** Close the socket after the headers, before any chunk. */
  dropBeforeFirstChunk?: boolean;
  /** Close the socket after this many content chunks. */
  dropAfterChunks?: number;
  /** Send a chunk that is not JSON. */
  malformed?: boolean;
  /** Send an OpenAI-style error event inside the 200 stream after this many chunks. */
  errorEventAfterChunks?: number;
  /** Write every byte of the stream separately. */
  trickle?: boolean;
}

/** Usage as OpenAI reports it (`total_tokens` is added); the details only when given. */
export interface MockOpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens: number; [k: string]: number };
  completion_tokens_details?: { reasoning_tokens: number; [k: string]: number };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: ParsedJson;
  /** Decoded images of the user messages' `image_url` data-URL parts, in order. */
  images: { mime: string; data: Buffer }[];
  /** The text of the user messages. */
  text: string;
  /** Set when the client closed the connection before the answer was complete. */
  aborted: boolean;
}

/** Decides the answer from the request itself (used when no script is queued). */
export type MockResponder = (request: RecordedRequest, n: number) => MockScript | Promise<MockScript>;

/**
 * An OpenAI (and Azure OpenAI) chat completions server on loopback speaking the real wire format, streaming
 * included, with scripted answers and fault injection. It records every request it receives. It also serves
 * `/embeddings`, `/completions`, `/images/generations`, `/audio/speech` and `/audio/transcriptions`
 * (see mock-openai-endpoints.ts) and `/responses` (mock-openai-responses.ts), validating what it is sent as OpenAI does; scripted errors apply to them too.
 */
export class MockOpenAIServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: MockScript[] = [];
  defaultScript: MockScript = { content: ['Hello', ' from', ' the mock.'], usage: { prompt_tokens: 11, completion_tokens: 4 } };
  /** When set, answers every request with no queued script. */
  respond: MockResponder | undefined;
  /** The Responses this server stored, for `previous_response_id` (see mock-openai-responses.ts). */
  readonly responses = new MockResponsesStore();
  /** Most inputs one `/embeddings` request may carry (OpenAI's is 2048; lower it to mimic a stricter server). */
  embeddingBatchLimit = 2048;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<MockOpenAIServer> {
    const server = createServer();
    const mock = new MockOpenAIServer(server);
    server.on('request', (req, res) => void mock.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return mock;
  }

  /** Base URL as the OpenAI SDK takes it (ends in /v1). */
  get url(): string {
    return `${this.origin}/v1`;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  enqueue(...scripts: MockScript[]): this {
    this.queue.push(...scripts);
    return this;
  }

  /** How image URLs are fetched for `describe_images` (OpenAI fetches URLs itself). */
  fetchImage: MockImageFetch | undefined;

  /**
   * Drives the mock with the scenarios the other provider mocks take (one reply/fault vocabulary for the
   * conformance suite): `setScenario` answers every request without a queued script, `enqueueScenario` the next one.
   */
  setScenario(scenario: MockScenario): this {
    this.respond = (r) => scriptForScenario(r, scenario, this.fetchImage);
    return this;
  }

  enqueueScenario(...scenarios: MockScenario[]): this {
    for (const s of scenarios) this.pending.push((r) => scriptForScenario(r, s, this.fetchImage));
    return this;
  }

  private readonly pending: MockResponder[] = [];

  reset(): void {
    this.queue.length = 0;
    this.pending.length = 0;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const multipart = /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
    const body = multipart ? await formOf(bytes, req.headers['content-type']!) : safeJson(bytes.toString('utf8'));
    const record: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, ...userParts(body), aborted: false };
    this.requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    const path = (req.url ?? '').split('?')[0] ?? '';
    const chatPath = /\/chat\/completions$/.test(path);
    const responsesPath = path.endsWith('/responses');
    const endpoint = chatPath || responsesPath ? undefined : OTHER_ENDPOINTS.find((e) => path.endsWith(e));
    if (!chatPath && !responsesPath && !endpoint) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error', code: null, param: null } }));
      return;
    }
    if (!req.headers['authorization'] && !req.headers['api-key']) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'You did not provide an API key.', type: 'invalid_request_error', code: 'invalid_api_key', param: null } }));
      return;
    }
    const refused = reasoningModelRefusal(body);
    if (refused) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: refused }));
      return;
    }
    const pending = this.pending.shift();
    const script = this.queue.shift() ?? (pending ? await pending(record, this.requests.length) : undefined) ?? (this.respond ? await this.respond(record, this.requests.length) : this.defaultScript);
    if (script.delayBeforeHeadersMs) await sleepWhileOpen(script.delayBeforeHeadersMs, res);
    if (res.destroyed) return;
    if (script.status && script.status >= 400) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (script.retryAfter) headers['retry-after'] = script.retryAfter;
      res.writeHead(script.status, headers).end(
        JSON.stringify({ error: { message: script.errorMessage ?? `mock error ${script.status}`, type: 'mock_error', code: script.status === 400 ? 'invalid_value' : null, param: null } }),
      );
      return;
    }
    if (responsesPath) {
      const text = Array.isArray(script.content) ? script.content : [script.content ?? ''];
      return answerResponses(res, body as ParsedJson, { text, usage: script.usage ?? { prompt_tokens: 0, completion_tokens: 0 } }, this.responses, !!req.headers['api-key']);
    }
    if (endpoint) return answerEndpoint(res, endpoint, body as ParsedJson, this.embeddingBatchLimit, !!req.headers['api-key']);
    const chat = body as { stream?: boolean; model?: string; stream_options?: { include_usage?: boolean } } | undefined;
    const model = chat?.model ?? 'mock-model';
    if (chat?.stream) await this.stream(res, script, model, chat.stream_options?.include_usage === true);
    else this.complete(res, script, model);
  }

  private complete(res: ServerResponse, s: MockScript, model: string): void {
    const content = Array.isArray(s.content) ? s.content.join('') : (s.content ?? null);
    const toolCalls = s.toolCalls?.map((t, i) => ({ id: t.id ?? `call_${i}`, type: 'function', function: { name: t.name, arguments: t.arguments.join('') } }));
    const usage = s.usage ?? { prompt_tokens: 0, completion_tokens: 0 };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'chatcmpl-mock',
        object: 'chat.completion',
        created: 1_700_000_000,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: toolCalls ? null : content, ...(toolCalls ? { tool_calls: toolCalls } : {}), refusal: null },
            finish_reason: s.finishReason ?? (toolCalls ? 'tool_calls' : 'stop'),
            logprobs: null,
          },
        ],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        system_fingerprint: 'fp_mock',
      }),
    );
  }

  private async stream(res: ServerResponse, s: MockScript, model: string, includeUsage: boolean): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    if (s.dropBeforeFirstChunk) {
      res.socket?.destroy();
      return;
    }
    const base = { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1_700_000_000, model, system_fingerprint: 'fp_mock' };
    const usageField = includeUsage ? { usage: null } : {};
    const events: string[] = [];
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      events.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageField })}\n\n`);
    chunk({ role: 'assistant', content: '', refusal: null });
    const pieces = Array.isArray(s.content) ? s.content : s.content !== undefined ? [s.content] : [];
    for (const p of pieces) chunk({ content: p });
    s.toolCalls?.forEach((t, i) => {
      chunk({ tool_calls: [{ index: i, id: t.id ?? `call_${i}`, type: 'function', function: { name: t.name, arguments: '' } }] });
      for (const frag of t.arguments) chunk({ tool_calls: [{ index: i, function: { arguments: frag } }] });
    });
    chunk({}, s.finishReason ?? (s.toolCalls ? 'tool_calls' : 'stop'));
    if (includeUsage) {
      const u = s.usage ?? { prompt_tokens: 0, completion_tokens: 0 };
      events.push(`data: ${JSON.stringify({ ...base, choices: [], usage: { ...u, total_tokens: u.prompt_tokens + u.completion_tokens } })}\n\n`);
    }
    events.push('data: [DONE]\n\n');

    for (const [i, event] of events.entries()) {
      // Content chunks are those after the role chunk.
      if (s.dropAfterChunks !== undefined && i === s.dropAfterChunks + 1) {
        // Let what was written reach the client first, then cut the connection mid-stream.
        await new Promise<void>((r) => res.write('', () => r()));
        await sleep(30);
        res.socket?.destroy();
        return;
      }
      if (s.malformed && i === 1) {
        res.write('data: {"this is": not json\n\n');
        continue;
      }
      if (s.errorEventAfterChunks !== undefined && i === s.errorEventAfterChunks + 1) {
        if (s.chunkDelayMs) await sleep(s.chunkDelayMs);
        res.end(`data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null } })}\n\n`);
        return;
      }
      if (s.chunkDelayMs && i > 0) await sleep(s.chunkDelayMs);
      if (res.destroyed) return;
      if (s.trickle) {
        for (const ch of event) res.write(ch);
      } else res.write(event);
    }
    res.end();
  }
}

/** OpenAI's reasoning models (o1, o3, o4-mini, gpt-5; not o1-mini/-preview or gpt-5-chat), by the body's model id. */
const REASONING_MODEL = /^(o1(?!-mini|-preview)|o3|o4-mini|gpt-5(?!-chat))/;
/** Those of them that refuse `stop` too (o3-mini and o1 take it). */
const NO_STOP_MODEL = /^(o3(?!-mini)|o4-mini|gpt-5)/;
const REFUSED_BY_REASONING_MODELS = ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'logit_bias'];

/**
 * The 400 error OpenAI answers a reasoning model's request with when it carries a parameter the model refuses
 * (`max_tokens`, `temperature`, …), as the real API words it; null when the request is acceptable.
 */
export function reasoningModelRefusal(body: unknown): { message: string; type: string; param: string; code: string } | null {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b['model'] !== 'string' || !REASONING_MODEL.test(b['model'])) return null;
  const error = (param: string, message: string) => ({ message, type: 'invalid_request_error', param, code: 'unsupported_parameter' });
  if (b['max_tokens'] !== undefined) return error('max_tokens', "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.");
  const refused = NO_STOP_MODEL.test(b['model']) ? [...REFUSED_BY_REASONING_MODELS, 'stop'] : REFUSED_BY_REASONING_MODELS;
  // The default value is accepted ("Only the default (1) value is supported").
  const param = refused.find((p) => b[p] !== undefined && !((p === 'temperature' || p === 'top_p') && b[p] === 1));
  return param ? error(param, `Unsupported parameter: '${param}' is not supported with this model.`) : null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A provider-mock scenario as an OpenAI script: what OpenAI itself would answer to this request. */
export async function scriptForScenario(r: RecordedRequest, scenario: MockScenario, fetchImage?: MockImageFetch): Promise<MockScript> {
  const reply = scenario.reply ?? { kind: 'text' };
  const u = scenario.usage ?? DEFAULT_USAGE;
  // OpenAI counts cached tokens inside prompt_tokens (and reports no cache writes), reasoning inside completion_tokens.
  const script: MockScript = {
    usage: {
      prompt_tokens: u.input,
      completion_tokens: u.output,
      prompt_tokens_details: { cached_tokens: u.cacheRead ?? 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
  };
  let text: string | undefined;
  switch (reply.kind) {
    case 'text':
      text = reply.text ?? 'Hello! How can I help?';
      break;
    case 'length':
      text = reply.text ?? 'This answer was cut';
      script.finishReason = 'length';
      break;
    case 'tool_calls':
      text = reply.text;
      script.toolCalls = reply.calls.map((c) => ({ id: c.id ?? `call_${randomBytes(12).toString('base64url')}`, name: c.name, arguments: pieces(c.arguments, 7) }));
      break;
    case 'json':
      text = JSON.stringify(reply.value);
      break;
    case 'reasoning':
      // Chat Completions never returns the reasoning text, only its token count (in usage).
      text = reply.text;
      break;
    case 'finish':
      text = reply.text ?? '';
      script.finishReason = reply.reason === 'content_filter' ? 'content_filter' : 'stop';
      break;
    case 'describe_images':
      text = describeImages(await openAIImages(r, fetchImage));
      break;
  }
  // Stop sequences end the text where they occur (finish_reason stays `stop`).
  const stop = (r.body as { stop?: string | string[] } | undefined)?.stop;
  for (const s of typeof stop === 'string' ? [stop] : (stop ?? [])) {
    const at = text?.indexOf(s) ?? -1;
    if (at >= 0) text = text!.slice(0, at);
  }
  if (text !== undefined) script.content = pieces(text, 5);
  const f = scenario.faults ?? {};
  if (f.status) Object.assign(script, { status: f.status, errorMessage: f.message, retryAfter: f.retryAfter !== undefined ? String(f.retryAfter) : undefined });
  if (f.delayBeforeHeadersMs) script.delayBeforeHeadersMs = f.delayBeforeHeadersMs;
  if (f.delayBetweenChunksMs) script.chunkDelayMs = f.delayBetweenChunksMs;
  if (f.dropBeforeFirstChunk) script.dropBeforeFirstChunk = true;
  if (f.dropAfterFirstChunk) script.dropAfterChunks = 1;
  if (f.errorInStream) script.errorEventAfterChunks = f.beforeFirstContent ? 0 : (f.afterEvents ?? 1);
  return script;
}

/** The user messages' images: data URLs decoded, http(s) URLs fetched. */
async function openAIImages(r: RecordedRequest, fetchImage?: MockImageFetch): Promise<SeenImage[]> {
  const out: SeenImage[] = [];
  for (const m of (r.body as { messages?: { role: string; content: unknown }[] })?.messages ?? []) {
    if (m.role !== 'user' || !Array.isArray(m.content)) continue;
    for (const part of m.content as { type: string; image_url?: { url?: string } }[]) {
      if (part.type !== 'image_url') continue;
      const url = part.image_url?.url ?? '';
      const match = /^data:([^;]+);base64,(.*)$/s.exec(url);
      if (match) out.push({ mime: match[1]!, data: Buffer.from(match[2]!, 'base64') });
      else if (fetchImage) out.push(await fetchImage(url));
      else throw new Error(`the OpenAI mock cannot fetch ${url}: no fetchImage set`);
    }
  }
  return out;
}

function userParts(body: unknown): Pick<RecordedRequest, 'images' | 'text'> {
  const images: RecordedRequest['images'] = [];
  let text = '';
  const messages = (body as { messages?: { role: string; content: unknown }[] } | undefined)?.messages ?? [];
  for (const m of Array.isArray(messages) ? messages : []) {
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') text += m.content;
    else if (Array.isArray(m.content)) {
      for (const part of m.content as { type: string; text?: string; image_url?: { url?: string } }[]) {
        if (part.type === 'text') text += part.text ?? '';
        const match = part.type === 'image_url' ? /^data:([^;]+);base64,(.*)$/s.exec(part.image_url?.url ?? '') : null;
        if (match) images.push({ mime: match[1]!, data: Buffer.from(match[2]!, 'base64') });
      }
    }
  }
  return { images, text };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
