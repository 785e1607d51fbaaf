import { Agent, type Dispatcher } from 'undici';
import type { LogAttempt, UsageRecord } from '@switchyard/metering';
import type { AdapterLookup, AdapterContext, StreamDecoder } from '@switchyard/providers';
import { GatewayError, type ChatCompletion, type ChatCompletionChunk, type ChatRequest } from '@switchyard/types';
import { Cancellation } from './cancellation';
import type { DlpResult } from './dlp/dlp-policy';
import { backoffDelay, parseRetryAfter, type ExecutionPolicy } from './execution-policy';
import { noAccounting, type Accounting } from './pipeline/accounting';
import type { RouteTarget } from './resolve-model';
import { allowsFallback, classifyFailure, failureCode, isRetryable, toGatewayError, type UpstreamFailure } from './upstream-failure';

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
  /** The exact cache's part (`x-gateway-cache-status`); absent when the cache was not involved. */
  cache?: 'HIT' | 'MISS' | 'BYPASS';
  /** What DLP found in the request and the answer (`x-gateway-dlp`, the log record's `dlp`); absent when nothing. */
  dlp?: DlpResult;
}

export interface CompletionResult {
  kind: 'completion';
  completion: ChatCompletion;
  meta: ExecutionMeta;
  /** Tokens by bucket and cost (the accounting stage's record of the call). */
  usage: UsageRecord | null;
  /** Response headers the admission stages add (`x-ratelimit-*`). */
  headers?: Readonly<Record<string, string>>;
}

export interface StreamResult {
  kind: 'stream';
  meta: ExecutionMeta;
  /** Chunks decoded up to and including the first content, held back for failover. */
  head: ChatCompletionChunk[];
  /**
   * The rest, as soon as its bytes arrive: one batch per upstream read (the chunks those bytes held,
   * so that they reach the client in one write). On an upstream failure mid-stream it throws the
   * GatewayError the client is to see (`toGatewayError`, the same mapping as before the first byte).
   */
  tail: AsyncGenerator<ChatCompletionChunk[], void, undefined>;
  /** Tokens by bucket and cost: set once the usage chunk has passed (in the head, or the tail as it is read). */
  usage: UsageRecord | null;
  /** Response headers the admission stages add (`x-ratelimit-*`). */
  headers?: Readonly<Record<string, string>>;
}

export type ExecutionResult = CompletionResult | StreamResult;

type AttemptResult = { ok: true; result: Omit<CompletionResult, 'meta'> | Omit<StreamResult, 'meta'> } | { ok: false; failure: UpstreamFailure };

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
  /**
   * For connections whose base URL an organization set (not the operator): a dispatcher that refuses
   * private, loopback and link-local destinations after DNS resolution (`createOutboundAgent`). Absent:
   * `dispatcher` serves them too (the operator allows private base URLs, or a test injects one).
   */
  untrustedDispatcher?: Dispatcher;
  /** The provider adapters: `createAdapterRegistry({ fetchImage })` with the guarded image fetcher. */
  adapters: AdapterLookup;
  /** The accounting stage: turns a call's usage into its usage record (default: tokens only, no cost). */
  account?: Accounting;
  sleep?: (ms: number, cancel: Cancellation) => Promise<void>;
}

/**
 * Runs an ordered plan of targets: per-attempt timeouts, retries with backoff and jitter (honouring
 * Retry-After up to a cap), fallback to the next target, and streams held until their first content so
 * that a failure before it fails over invisibly. Upstream HTTP goes through undici keep-alive pools.
 */
export class Executor {
  private readonly dispatcher: Dispatcher;
  private readonly untrustedDispatcher: Dispatcher;
  private readonly sleep: (ms: number, cancel: Cancellation) => Promise<void>;
  private readonly adapters: AdapterLookup;
  private readonly account: Accounting;
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(private readonly options: ExecutorOptions) {
    this.adapters = options.adapters;
    this.account = options.account ?? noAccounting;
    this.dispatcher =
      options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256, pipelining: 1, connect: { timeout: 10_000 } });
    this.untrustedDispatcher = options.untrustedDispatcher ?? this.dispatcher;
    this.sleep = options.sleep ?? abortableSleep;
  }

  /**
   * Runs the plan. `attempts`, when given (the request's log wants them), receives each upstream attempt as it
   * ends, failed ones included: a side channel that holds them whether the call succeeds or throws.
   */
  async execute(request: ChatRequest, targets: RouteTarget[], policy: ExecutionPolicy, cancel: Cancellation, attempts?: LogAttempt[]): Promise<ExecutionResult> {
    const stream = request.stream === true;
    const started = performance.now();
    let tried = 0;
    let last: { failure: UpstreamFailure; target: RouteTarget } | undefined;
    for (const [step, target] of targets.entries()) {
      for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
        if (cancel.aborted) throw new ClientAbortedError();
        tried += 1;
        const attemptStarted = attempts ? performance.now() : 0;
        const outcome = await this.attempt(request, target, policy, stream, cancel);
        if (attempts) attempts.push(attemptOf(step, target, outcome, performance.now() - attemptStarted));
        if (outcome.ok) {
          const meta: ExecutionMeta = {
            provider: target.connection.provider,
            model: target.upstreamModel,
            connectionId: target.connection.id,
            step,
            attempts: tried,
            firstByteMs: performance.now() - started,
          };
          // The stream's tail writes its usage into this very object: add the meta, do not copy.
          return Object.assign(outcome.result, { meta });
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
    const { provider, credentials } = last.target.connection;
    throw toGatewayError(last.failure, provider, credentialStrings(credentials), { 'x-gateway-attempts': String(tried) });
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
      parameters: target.parameters,
    };
    // This attempt's own cancellation: the client's, or the first-byte timeout.
    const upstreamCancel = new Cancellation();
    const stopFollowing = cancel.onAbort(() => upstreamCancel.abort(new ClientAbortedError()));
    const timer = setTimeout(() => upstreamCancel.abort(TIMEOUT), policy.requestTimeoutMs);
    let handedOver = false;
    try {
      const upstream = await adapter.buildRequest(request, ctx);
      const { baseUrl, baseUrlTrusted } = target.connection;
      const dispatcher = baseUrl && !baseUrlTrusted ? this.untrustedDispatcher : this.dispatcher;
      const res = await dispatcher.request({
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
      const { provider } = target.connection;
      if (!stream) {
        const json: unknown = await res.body.json();
        const completion = adapter.parseResponse(json, ctx);
        return { ok: true, result: { kind: 'completion', completion, usage: this.account(provider, target.upstreamModel, completion.usage) } };
      }
      const decoder = adapter.createStreamDecoder(ctx);
      const iterator = res.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const head: ChatCompletionChunk[] = [];
      for (;;) {
        const next = await iterator.next();
        if (next.done) {
          // A complete stream without any content (e.g. an empty answer): hand it over whole.
          head.push(...decoder.end());
          return { ok: true, result: { kind: 'stream', head, tail: emptyTail(), usage: this.usageIn(head, target) } };
        }
        const chunks = decoder.push(next.value);
        head.push(...chunks);
        if (chunks.some(hasContent)) break;
      }
      clearTimeout(timer);
      handedOver = true;
      // The tail records the usage chunk on the result when it passes (after this returns).
      const tail = streamTail(iterator, decoder, upstreamCancel, stopFollowing, target, (usage) => (result.usage = this.account(provider, target.upstreamModel, usage)));
      const result: Omit<StreamResult, 'meta'> = { kind: 'stream', head, tail, usage: this.usageIn(head, target) };
      return { ok: true, result };
    } catch (err) {
      if (cancel.aborted) throw new ClientAbortedError();
      return { ok: false, failure: classifyFailure(err, upstreamCancel.aborted && upstreamCancel.reason === TIMEOUT) };
    } finally {
      clearTimeout(timer);
      if (!handedOver) stopFollowing();
    }
  }

  /** The usage record of the usage chunk among `chunks`, if one is there. */
  private usageIn(chunks: ChatCompletionChunk[], target: RouteTarget): UsageRecord | null {
    for (const chunk of chunks) if (chunk.usage) return this.account(target.connection.provider, target.upstreamModel, chunk.usage);
    return null;
  }

  /** Something to close with the executor (e.g. the image fetcher's connection pool). */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    const own = this.untrustedDispatcher === this.dispatcher ? [this.dispatcher] : [this.dispatcher, this.untrustedDispatcher];
    await Promise.all([...own.map((d) => d.close()), ...this.closers.map((fn) => fn())]);
  }
}

function attemptOf(step: number, target: RouteTarget, outcome: AttemptResult, durationMs: number): LogAttempt {
  const { connection, upstreamModel } = target;
  const failure = outcome.ok ? null : outcome.failure;
  return {
    step,
    provider: connection.provider,
    model: upstreamModel,
    connectionId: connection.id,
    status: failure ? (failure.kind === 'http' ? failure.status : null) : 200,
    durationMs: Math.round(durationMs * 1000) / 1000,
    errorCode: failure ? failureCode(failure) : null,
  };
}

/** An absolute http(s) URL as undici's origin and path (no URL object per request). */
export function splitUrl(url: string): { origin: string; path: string } {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash < 0 ? { origin: url, path: '/' } : { origin: url.slice(0, slash), path: url.slice(slash) };
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
  target: RouteTarget,
  onUsage: (usage: NonNullable<ChatCompletionChunk['usage']>) => void,
): AsyncGenerator<ChatCompletionChunk[], void, undefined> {
  let finished = false;
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      const chunks = decoder.push(next.value);
      if (chunks.length) {
        usageOf(chunks, onUsage);
        yield chunks;
      }
    }
    const last = decoder.end();
    if (last.length) {
      usageOf(last, onUsage);
      yield last;
    }
    finished = true;
  } catch (err) {
    // Mapped as a failure before the first byte would be; no credential may appear in the message.
    const { provider, credentials } = target.connection;
    throw toGatewayError(classifyFailure(err), provider, credentialStrings(credentials));
  } finally {
    release();
    // The consumer stopped early (client gone) or the stream failed: cancel the upstream request.
    if (!finished) upstreamCancel.abort(new ClientAbortedError());
  }
}

function usageOf(chunks: ChatCompletionChunk[], onUsage: (usage: NonNullable<ChatCompletionChunk['usage']>) => void): void {
  for (const chunk of chunks) if (chunk.usage) onUsage(chunk.usage);
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
