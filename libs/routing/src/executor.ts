import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { ProviderStreamError, type AdapterLookup, UnsupportedParameterError, type AdapterContext, type StreamDecoder } from '@switchyard/providers';
import { GatewayError, type ChatCompletion, type ChatCompletionChunk, type ChatRequest } from '@switchyard/types';
import { Cancellation } from './cancellation';
import { backoffDelay, parseRetryAfter, type ExecutionPolicy } from './execution-policy';
import type { RouteTarget } from './resolve-model';
import { allowsFallback, isRetryable, scrub, toGatewayError, type UpstreamFailure } from './upstream-failure';

export interface ExecutionMeta {
  provider: string;
  model: string;
  connectionId: string;
  /** 0-based index of the target that answered. */
  step: number;
  /** Upstream attempts made, across targets. */
  attempts: number;
  /** Milliseconds from the first attempt to the first content (streams) or the answer. */
  firstByteMs: number;
}

export type ExecutionResult =
  | { kind: 'completion'; completion: ChatCompletion; meta: ExecutionMeta }
  | {
      kind: 'stream';
      meta: ExecutionMeta;
      /** Chunks decoded up to and including the first content, held back for failover. */
      head: ChatCompletionChunk[];
      /**
       * The rest, as soon as its bytes arrive: one batch per upstream read (the chunks those bytes held,
       * so that they reach the client in one write); throws on an upstream failure mid-stream.
       */
      tail: AsyncGenerator<ChatCompletionChunk[], void, undefined>;
    };

type AttemptResult =
  | { ok: true; result: Omit<Extract<ExecutionResult, { kind: 'completion' }>, 'meta'> | Omit<Extract<ExecutionResult, { kind: 'stream' }>, 'meta'> }
  | { ok: false; failure: UpstreamFailure };

/** Thrown when the caller went away; nothing is sent. */
export class ClientAbortedError extends Error {
  constructor() {
    super('client closed the request');
    this.name = 'ClientAbortedError';
  }
}

const TIMEOUT = Symbol('timeout');

export interface ExecutorOptions {
  /** Idle time allowed between upstream body chunks once a stream is flowing. */
  bodyIdleTimeoutMs: number;
  dispatcher?: Dispatcher;
  /** The provider adapters: `createAdapterRegistry({ fetchImage })` with the guarded image fetcher. */
  adapters: AdapterLookup;
  sleep?: (ms: number, cancel: Cancellation) => Promise<void>;
}

/**
 * Runs an ordered plan of targets: per-attempt timeouts, retries with backoff and jitter (honouring
 * Retry-After up to a cap), fallback to the next target, and streams held until their first content so
 * that a failure before it fails over invisibly. Upstream HTTP goes through undici keep-alive pools.
 */
export class Executor {
  private readonly dispatcher: Dispatcher;
  private readonly sleep: (ms: number, cancel: Cancellation) => Promise<void>;
  private readonly adapters: AdapterLookup;
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(private readonly options: ExecutorOptions) {
    this.adapters = options.adapters;
    this.dispatcher =
      options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256, pipelining: 1, connect: { timeout: 10_000 } });
    this.sleep = options.sleep ?? abortableSleep;
  }

  async execute(request: ChatRequest, targets: RouteTarget[], policy: ExecutionPolicy, cancel: Cancellation): Promise<ExecutionResult> {
    const stream = request.stream === true;
    const started = performance.now();
    let attempts = 0;
    let last: { failure: UpstreamFailure; target: RouteTarget } | undefined;
    for (const [step, target] of targets.entries()) {
      for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
        if (cancel.aborted) throw new ClientAbortedError();
        attempts += 1;
        const outcome = await this.attempt(request, target, policy, stream, cancel);
        if (outcome.ok) {
          const meta: ExecutionMeta = {
            provider: target.connection.provider,
            model: target.upstreamModel,
            connectionId: target.connection.id,
            step,
            attempts,
            firstByteMs: performance.now() - started,
          };
          return { ...outcome.result, meta } as ExecutionResult;
        }
        last = { failure: outcome.failure, target };
        if (!isRetryable(outcome.failure)) break;
        if (attempt < policy.maxAttempts) {
          const retryAfter = outcome.failure.kind === 'http' ? outcome.failure.retryAfterMs : undefined;
          const delay = Math.max(backoffDelay(policy, attempt), Math.min(retryAfter ?? 0, policy.retryAfterCapMs));
          await this.sleep(delay, cancel);
        }
      }
      if (!last || !allowsFallback(last.failure)) break;
    }
    if (!last) throw new GatewayError(500, 'server_error', 'no_targets', 'No target could be tried.');
    const error = toGatewayError(last.failure, last.target.connection.provider);
    throw new GatewayError(error.status, error.type, error.code, scrub(error.message, credentialStrings(last.target.connection.credentials)), {
      param: error.param,
      headers: { ...error.headers, 'x-gateway-attempts': String(attempts) },
    });
  }

  private async attempt(request: ChatRequest, target: RouteTarget, policy: ExecutionPolicy, stream: boolean, cancel: Cancellation): Promise<AttemptResult> {
    const adapter = this.adapters(target.connection.provider);
    if (!adapter) {
      return { ok: false, failure: { kind: 'unsupported', param: 'model', message: `The ${target.connection.provider} provider is not supported by this gateway yet.` } };
    }
    const ctx: AdapterContext = {
      target: { ...target.connection, upstreamModel: target.upstreamModel },
      stream,
      maxOutputTokens: target.maxOutputTokens,
      dropUnsupported: policy.dropUnsupported,
    };
    // This attempt's own cancellation: the client's, or the first-byte timeout.
    const upstreamCancel = new Cancellation();
    const stopFollowing = cancel.onAbort(() => upstreamCancel.abort(new ClientAbortedError()));
    const timer = setTimeout(() => upstreamCancel.abort(TIMEOUT), policy.requestTimeoutMs);
    let handedOver = false;
    try {
      const upstream = await adapter.buildRequest(request, ctx);
      const res = await this.dispatcher.request({
        ...splitUrl(upstream.url),
        method: 'POST',
        headers: upstream.headers,
        body: upstream.body,
        signal: upstreamCancel,
        bodyTimeout: this.options.bodyIdleTimeoutMs,
        headersTimeout: 0,
      });
      if (res.statusCode >= 300) {
        const text = await res.body.text();
        const info = adapter.parseError(res.statusCode, text);
        return {
          ok: false,
          failure: {
            kind: 'http',
            status: res.statusCode,
            message: info.message,
            param: info.param ?? null,
            contextLength: info.contextLength ?? false,
            retryAfterMs: parseRetryAfter(res.headers['retry-after']),
          },
        };
      }
      if (!stream) {
        const json: unknown = await res.body.json();
        return { ok: true, result: { kind: 'completion', completion: adapter.parseResponse(json, ctx) } };
      }
      const decoder = adapter.createStreamDecoder(ctx);
      const iterator = res.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const head: ChatCompletionChunk[] = [];
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          // A complete stream without any content (e.g. an empty answer): hand it over whole.
          head.push(...decoder.end());
          return { ok: true, result: { kind: 'stream', head, tail: emptyTail() } };
        }
        const chunks = decoder.push(next.value);
        head.push(...chunks);
        if (chunks.some(hasContent)) break;
      }
      clearTimeout(timer);
      handedOver = true;
      return { ok: true, result: { kind: 'stream', head, tail: streamTail(iterator, decoder, upstreamCancel, stopFollowing, target.connection.credentials) } };
    } catch (err) {
      if (cancel.aborted) throw new ClientAbortedError();
      return { ok: false, failure: classify(err, upstreamCancel) };
    } finally {
      clearTimeout(timer);
      if (!handedOver) stopFollowing();
    }
  }

  /** Something to close with the executor (e.g. the image fetcher's connection pool). */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    await Promise.all([this.dispatcher.close(), ...this.closers.map((fn) => fn())]);
  }
}

/** An absolute http(s) URL as undici's origin and path (no URL object per request). */
export function splitUrl(url: string): { origin: string; path: string } {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash < 0 ? { origin: url, path: '/' } : { origin: url.slice(0, slash), path: url.slice(slash) };
}

function classify(err: unknown, upstreamCancel: Cancellation): UpstreamFailure {
  if (err instanceof UnsupportedParameterError) return { kind: 'unsupported', param: err.param, message: err.message };
  if (err instanceof ProviderStreamError) return { kind: 'stream', status: err.status, message: err.message };
  if (upstreamCancel.aborted && upstreamCancel.reason === TIMEOUT) return { kind: 'timeout', message: 'timed out before the first byte' };
  if (err instanceof undiciErrors.BodyTimeoutError || err instanceof undiciErrors.HeadersTimeoutError) return { kind: 'timeout', message: err.message };
  if (err instanceof SyntaxError) return { kind: 'stream', status: 502, message: 'The provider returned malformed JSON.' };
  const code = (err as { code?: string }).code ?? '';
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'network', message: code ? `${code}: ${message}` : message };
}

function hasContent(chunk: ChatCompletionChunk): boolean {
  return chunk.choices.some(
    (c) => c.finish_reason !== null || !!c.delta.content || !!c.delta.reasoning_content || !!c.delta.refusal || (c.delta.tool_calls?.length ?? 0) > 0,
  );
}

async function* emptyTail(): AsyncGenerator<ChatCompletionChunk[], void, undefined> {
  // nothing left: the whole stream was held
}

async function* streamTail(
  iterator: AsyncIterator<Buffer>,
  decoder: StreamDecoder,
  upstreamCancel: Cancellation,
  release: () => void,
  credentials: Record<string, unknown>,
): AsyncGenerator<ChatCompletionChunk[], void, undefined> {
  let finished = false;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const chunks = decoder.push(next.value);
      if (chunks.length) yield chunks;
    }
    const last = decoder.end();
    if (last.length) yield last;
    finished = true;
  } catch (err) {
    // The message reaches the client in the final error event: no credential may appear in it.
    const message = scrub(err instanceof Error ? err.message : 'the upstream connection failed', credentialStrings(credentials));
    if (err instanceof ProviderStreamError) throw new ProviderStreamError(message, err.status, err.code);
    throw new ProviderStreamError(message, 502, 'upstream_disconnected');
  } finally {
    release();
    // The consumer stopped early (client gone) or the stream failed: cancel the upstream request.
    if (!finished) upstreamCancel.abort(new ClientAbortedError());
  }
}

function abortableSleep(ms: number, cancel: Cancellation): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(() => {
      stop();
      resolve();
    }, ms);
    const stop = cancel.onAbort(() => {
      clearTimeout(t);
      reject(new ClientAbortedError());
    });
  });
}

function credentialStrings(credentials: Record<string, unknown>): string[] {
  return Object.values(credentials).flatMap((v) => (typeof v === 'string' ? [v] : []));
}
