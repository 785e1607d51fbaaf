import type { ParsedJson } from '../http';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

/** What the mock answers (the same script drives every provider mock, in that provider's wire format). */
export type MockReply =
  | { kind: 'text'; text?: string }
  /** One or more (parallel) tool calls; `arguments` is the exact JSON text to stream. */
  | {
      kind: 'tool_calls';
      calls: { id?: string; name: string; arguments: string }[];
      text?: string;
      /** Claude mocks, when the request enables thinking: a signed thinking block (and a redacted one) before the calls. */
      reasoning?: string;
      redacted?: boolean;
    }
  /** A JSON answer: a forced tool's input when the request forces one, else JSON text. */
  | { kind: 'json'; value: Record<string, unknown> }
  /** The output limit was hit. */
  | { kind: 'length'; text?: string }
  | { kind: 'reasoning'; reasoning: string; text: string }
  /** A provider-specific ending (e.g. Gemini MALFORMED_FUNCTION_CALL, SAFETY; Anthropic refusal). */
  | { kind: 'finish'; reason: string; text?: string }
  /** Text describing the images the request carried (type, size and hash of each), as the mock received them. */
  | { kind: 'describe_images' };

export interface MockUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export interface MockFaults {
  /** Answer this status with the provider's error body. */
  status?: number;
  message?: string;
  /** Seconds, sent as Retry-After with `status`. */
  retryAfter?: number;
  delayBeforeHeadersMs?: number;
  delayBetweenChunksMs?: number;
  /** Streams: close the connection after the headers, before any event. */
  dropBeforeFirstChunk?: boolean;
  /** Streams: close the connection after the first event. */
  dropAfterFirstChunk?: boolean;
  /** Streams: send bytes that are not a valid event after the first event. */
  malformedStream?: boolean;
  /** Streams: send the provider's error event (e.g. overloaded) after the first event, then end. */
  errorInStream?: { type?: string; message?: string };
  /** Streams: end cleanly but without the terminal event. */
  truncateStream?: boolean;
  /** How many events are sent before a stream fault fires (default: through the first content event). */
  afterEvents?: number;
  /** Streams: fire the stream fault just before the first content event (after the role/start events). */
  beforeFirstContent?: boolean;
}

export interface MockScenario {
  reply?: MockReply;
  usage?: MockUsage;
  faults?: MockFaults;
}

export interface RecordedProviderRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: string;
  body: ParsedJson;
}

export const DEFAULT_USAGE: MockUsage = { input: 21, output: 9 };

/** Splits text into pieces of `size` characters (streams send text and tool arguments in fragments). */
export function pieces(text: string, size = 5): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

/** One image a mock received, decoded. */
export interface SeenImage {
  mime: string;
  data: Buffer;
}

/** Fetches an image URL the way the real provider would (a test points it at its loopback image server). */
export type MockImageFetch = (url: string) => Promise<SeenImage>;

/** The `describe_images` answer: the same text from every mock for the same image bytes. */
export function describeImages(images: SeenImage[]): string {
  if (!images.length) return 'I see no image.';
  return images.map((i) => `I see a ${i.mime} image of ${i.data.length} bytes (sha256 ${createHash('sha256').update(i.data).digest('hex').slice(0, 12)}).`).join(' ');
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/**
 * Waits `ms`, or until `res` closes first (the client gave up, as the router does past a request timeout): no timer
 * outlives its request, keeping a test's process alive after its suite closed the mock.
 */
export const sleepWhileOpen = (ms: number, res: ServerResponse) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });

/** A validation failure: answered with the provider's own 4xx error shape. */
export class MockRejection extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type?: string,
  ) {
    super(message);
  }
}

export interface StreamWriter {
  /** Writes one encoded event (already in the provider's framing). */
  events: (Uint8Array | string)[];
  /** The provider's error event, already framed. */
  errorEvent: (type: string | undefined, message: string) => Uint8Array | string;
  /** Garbage that fails the provider's framing. */
  malformed: Uint8Array | string;
  contentType: string;
  /** How many trailing events are the terminal ones (dropped by truncateStream). */
  terminalEvents: number;
  /** How many events make it through the first content event (where stream faults fire by default). */
  firstContentEvents: number;
}

/** The shared mock server: records requests, applies scripted scenarios and faults, writes streams. */
export abstract class MockProviderServer {
  readonly requests: RecordedProviderRequest[] = [];
  private server?: Server;
  private queue: MockScenario[] = [];
  private sticky: MockScenario = {};
  url = '';
  /** How the mock fetches image URLs it is sent (providers that take URLs fetch them themselves). */
  fetchImage: MockImageFetch | undefined;
  /** When set, decides the scenario of a request with none queued from the request itself (a scripted agent loop). */
  responder: ((req: RecordedProviderRequest) => MockScenario) | undefined;

  /** The images of a request in the provider's wire format (for `describe_images`). */
  protected abstract imagesOf(req: RecordedProviderRequest): Promise<SeenImage[]>;

  protected async fetchUrlImage(url: string): Promise<SeenImage> {
    if (!this.fetchImage) throw new MockRejection(400, `The mock cannot fetch image URL ${url} (no fetchImage set).`);
    return this.fetchImage(url);
  }

  /** The scenario for the next request only. */
  enqueue(...scenarios: MockScenario[]): this {
    this.queue.push(...scenarios);
    return this;
  }

  /** The scenario for every request until changed (use for faults the router retries). */
  setScenario(scenario: MockScenario): this {
    this.sticky = scenario;
    return this;
  }

  reset(): this {
    this.queue = [];
    this.sticky = {};
    this.responder = undefined;
    this.requests.length = 0;
    return this;
  }

  get lastRequest(): RecordedProviderRequest | undefined {
    return this.requests[this.requests.length - 1];
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Validates the request and answers: a non-stream JSON body, or a stream writer. */
  protected abstract respond(
    req: RecordedProviderRequest,
    scenario: MockScenario,
  ): Promise<{ json: unknown } | { stream: StreamWriter } | { raw: { status: number; headers: Record<string, string>; body: string } }>;

  /** The provider's error body and headers for a status. */
  protected abstract errorResponse(status: number, message: string, type?: string): { body: string; headers?: Record<string, string> };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', 'http://mock');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedProviderRequest = { method: req.method ?? 'GET', url: req.url ?? '/', path: u.pathname, query: u.searchParams, headers: req.headers, raw, body };
    this.requests.push(recorded);
    // Scenarios script model calls: a token fetch (the Vertex mock's `/token`) takes none.
    let scenario = recorded.path === '/token' ? {} : (this.queue.shift() ?? this.responder?.(recorded) ?? this.sticky);
    const faults = scenario.faults ?? {};
    try {
      if (faults.delayBeforeHeadersMs) await sleepWhileOpen(faults.delayBeforeHeadersMs, res);
      if (scenario.reply?.kind === 'describe_images' && recorded.path !== '/token') {
        scenario = { ...scenario, reply: { kind: 'text', text: describeImages(await this.imagesOf(recorded)) } };
      }
      const answer = await this.respond(recorded, scenario);
      if (faults.status) {
        const err = this.errorResponse(faults.status, faults.message ?? `Scripted error ${faults.status}`);
        res.writeHead(faults.status, { 'content-type': 'application/json', ...(faults.retryAfter !== undefined ? { 'retry-after': String(faults.retryAfter) } : {}), ...err.headers });
        res.end(err.body);
        return;
      }
      if ('raw' in answer) {
        res.writeHead(answer.raw.status, answer.raw.headers);
        res.end(answer.raw.body);
      } else if ('json' in answer) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.json));
      } else await this.writeStream(res, answer.stream, faults);
    } catch (err) {
      if (err instanceof MockRejection) {
        const e = this.errorResponse(err.status, err.message, err.type);
        res.writeHead(err.status, { 'content-type': 'application/json', ...e.headers });
        res.end(e.body);
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`mock failure: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }

  private async writeStream(res: ServerResponse, w: StreamWriter, faults: MockFaults): Promise<void> {
    res.writeHead(200, { 'content-type': w.contentType, 'cache-control': 'no-cache' });
    res.flushHeaders();
    if (faults.dropBeforeFirstChunk) {
      await sleep(10);
      res.socket?.destroy();
      return;
    }
    const events = faults.truncateStream ? w.events.slice(0, w.events.length - w.terminalEvents) : w.events;
    const faultAt = faults.beforeFirstContent ? w.firstContentEvents - 1 : (faults.afterEvents ?? w.firstContentEvents);
    for (let i = 0; i <= events.length; i++) {
      if (i === faultAt && i > 0 && faults.delayBetweenChunksMs) await sleep(faults.delayBetweenChunksMs);
      if (i === faultAt) {
        if (faults.dropAfterFirstChunk) {
          // Let the bytes leave before the connection is cut.
          await new Promise<void>((r) => res.write('', () => r()));
          await sleep(20);
          res.socket?.destroy();
          return;
        }
        if (faults.malformedStream) {
          res.end(w.malformed);
          return;
        }
        if (faults.errorInStream) {
          res.end(w.errorEvent(faults.errorInStream.type, faults.errorInStream.message ?? 'Overloaded'));
          return;
        }
      }
      if (i === events.length) break;
      if (i > 0 && faults.delayBetweenChunksMs) await sleep(faults.delayBetweenChunksMs);
      res.write(events[i]);
    }
    res.end();
  }
}

/** A fake JSON value for a forced-tool schema answer. */
export const sse = (event: string | undefined, data: unknown): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
