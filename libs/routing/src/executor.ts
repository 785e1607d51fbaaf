import { Agent, type Dispatcher } from 'undici';
import type { LogAttempt, UsageRecord } from '@switchyard/metering';
import { nativeBuilder, SseDecoder, type AdapterLookup, type AdapterContext, type ByteTransform, type NativeRequest, type ProviderAdapter, type ProviderPathRequest, type SseUsageReader, type StreamDecoder, type UpstreamCall, type UpstreamRequest, type UsageEventDecoder } from '@switchyard/providers';
import { GatewayError, type ChatCompletion, type ChatCompletionChunk, type ChatRequest, type EndpointOperation, type EndpointRequest, type JsonObject, type Usage, ENDPOINT_PATHS } from '@switchyard/types';
import { Cancellation } from './cancellation';
import type { DlpResult } from './dlp/dlp-policy';
import { backoffDelay, parseRetryAfter, type ExecutionPolicy } from './execution-policy';
import { noAccounting, type Accounting } from './pipeline/accounting';
import type { RouteTarget } from './resolve-model';
import type { TargetGate } from './pipeline/admission';
import { targetKey, type TargetHealth } from './balance/target-health';
import { skipOf, targetName, type TargetSkip } from './balance/route-trace';
import { boundedBytes, keptHeaders, ProviderErrorAnswer, scrubBytes, type ProviderAnswer } from './provider-answer';
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
  /** Set when a REDACT policy changed the request: gives the copy of the request the log records instead (the matches replaced). */
  redactLogged?: (body: unknown) => unknown;
  /** The dynamic route's or group's decision (route, version, path, targets) for the log record; absent for plain model names. */
  routing?: JsonObject;
  /** `route=<name>@<version>` or `group=<id>`, for `x-gateway-route`; absent for plain model names. */
  routeLabel?: string;
  /** Targets left out without being tried (breaker open, excluded, incapable); absent when none. */
  skipped?: TargetSkip[];
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

/** The answer of an endpoint other than chat: JSON (combined from its upstream answers), usage priced. */
export interface EndpointJsonResult {
  kind: 'json';
  body: unknown;
  meta: ExecutionMeta;
  /** Null when the provider reported no usage (the cost is then unknown, never made up). */
  usage: UsageRecord | null;
  /** Response headers the admission stages add (`x-ratelimit-*`). */
  headers?: Readonly<Record<string, string>>;
}

/** An answer passed to the client byte for byte as it arrives (speech audio, transcripts as text, pass-through streams). */
export interface EndpointRawResult {
  kind: 'raw';
  /** The upstream answer's content type. */
  contentType: string;
  /** The body, one buffer per upstream read; on an upstream failure mid-body it throws the client's GatewayError. */
  body: AsyncGenerator<Buffer, void, undefined>;
  meta: ExecutionMeta;
  /** A pass-through event stream's usage, set when its event passes; otherwise null. */
  usage: UsageRecord | null;
  /** Response headers the admission stages add (`x-ratelimit-*`). */
  headers?: Readonly<Record<string, string>>;
}

export type EndpointResult = EndpointJsonResult | EndpointRawResult;

type NativeAttempt = Omit<CompletionResult, 'meta'> | Omit<StreamResult, 'meta'> | Omit<EndpointJsonResult, 'meta'> | Omit<EndpointRawResult, 'meta'>;

type AttemptResult<R = Omit<CompletionResult, 'meta'> | Omit<StreamResult, 'meta'>> = { ok: true; result: R } | { ok: false; failure: UpstreamFailure };

/** One attempt's hold on its upstream request (see `Executor.guarded`). */
interface AttemptScope {
  upstreamCancel: Cancellation;
  /** Stops following the client's cancellation (the body's consumer calls it when done). */
  stopFollowing: () => void;
  handOver: () => void;
}

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
  /** Target health shared by the replicas (breakers, latency averages); absent: no breaker, nothing reported. */
  health?: TargetHealth;
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
   * Runs the plan of a chat completion. `attempts`, when given (the request's log wants them), receives each
   * upstream attempt as it ends, failed ones included: a side channel that holds them whether the call succeeds or throws.
   */
  execute(request: ChatRequest, targets: RouteTarget[], policy: ExecutionPolicy, cancel: Cancellation, attempts?: LogAttempt[], skipped?: TargetSkip[], gate?: TargetGate): Promise<ExecutionResult> {
    const stream = request.stream === true;
    return this.run(targets, policy, cancel, attempts, skipped, gate, (target, p) => this.attempt(request, target, p, stream, cancel));
  }

  /** Runs the plan of an endpoint other than chat (embeddings, images, audio…): the same attempts, retries and fallbacks. */
  executeEndpoint(request: EndpointRequest, targets: RouteTarget[], policy: ExecutionPolicy, cancel: Cancellation, attempts?: LogAttempt[], skipped?: TargetSkip[], gate?: TargetGate): Promise<EndpointResult> {
    return this.run(targets, policy, cancel, attempts, skipped, gate, (target, p) => this.attemptEndpoint(request, target, p, cancel));
  }

  /**
   * Runs the plan of a Responses or Messages call: a target whose provider speaks the protocol natively is sent the
   * body as is (its answer passed through: `json` or `raw`); any other is sent `chat`, the call translated (a
   * completion or chunk stream the edge translates back). The same attempts, retries and fallbacks; `chat` is
   * null when the request cannot be translated, and the plan then holds native targets only (`passesThrough`).
   */
  executeNative(
    native: NativeRequest,
    chat: ChatRequest | null,
    targets: RouteTarget[],
    policy: ExecutionPolicy,
    cancel: Cancellation,
    attempts?: LogAttempt[],
    skipped?: TargetSkip[],
    gate?: TargetGate,
  ): Promise<ExecutionResult | EndpointResult> {
    return this.run<NativeAttempt>(targets, policy, cancel, attempts, skipped, gate, (target, p) => {
      const adapter = this.adapters(target.connection.provider);
      const build = nativeBuilder(adapter, native.protocol, target.upstreamModel);
      if (build && adapter) return this.attemptCall(adapter, (ctx) => build(native, ctx), target, p, cancel);
      if (!chat) return Promise.resolve({ ok: false, failure: { kind: 'unsupported', param: 'model', message: `The ${target.connection.provider} provider cannot be sent this request as is.` } });
      return this.attempt(chat, target, p, chat.stream === true, cancel);
    });
  }

  /**
   * Runs the plan of a provider-native call (Cloudflare's `/{provider}/{provider path}`): the client's bytes to each
   * target's provider path with the connection's credentials, the answer passed through (`json` or `raw`); the same
   * attempts, retries and fallbacks (the targets are connections of the one provider). A provider's HTTP error of the
   * last attempt is thrown as a ProviderErrorAnswer (its own status and bytes).
   */
  async executeProviderPath(request: ProviderPathRequest, targets: RouteTarget[], policy: ExecutionPolicy, cancel: Cancellation, attempts?: LogAttempt[], gate?: TargetGate): Promise<EndpointResult> {
    // The last attempt's own error answer, when it was the provider's HTTP error (scrubbed of the connection's credentials).
    let answer: ProviderAnswer | null = null;
    try {
      return await this.run(targets, policy, cancel, attempts, undefined, gate, async (target, p) => {
        const adapter = this.adapters(target.connection.provider);
        const build = adapter?.providerPath;
        if (!adapter || !build) return { ok: false, failure: { kind: 'unsupported', param: 'provider', message: `The ${target.connection.provider} provider has no native path.` } };
        const outcome = await this.attemptCall(adapter, (ctx) => build.call(adapter, request, ctx), target, p, cancel);
        const raw = outcome.ok || outcome.failure.kind !== 'http' ? undefined : outcome.failure.answer;
        answer = raw ? { ...raw, body: scrubBytes(raw.body, credentialStrings(target.connection.credentials)) } : null;
        return outcome;
      });
    } catch (err) {
      throw answer && err instanceof GatewayError ? new ProviderErrorAnswer(err, answer) : err;
    }
  }

  /** Whether the target's provider speaks the native protocol for its model (its body then passes through). */
  passesThrough(target: RouteTarget, protocol: NativeRequest['protocol']): boolean {
    return nativeBuilder(this.adapters(target.connection.provider), protocol, target.upstreamModel) !== undefined;
  }

  /** Whether the provider's adapter offers the operation (chat is offered by every adapter). */
  offers(provider: RouteTarget['connection']['provider'], operation: EndpointOperation): boolean {
    return this.adapters(provider)?.operations?.[operation] !== undefined;
  }

  /**
   * The loop every plan runs: attempts per target with backoff, then fallback to the next target. A target whose
   * breaker is open is skipped (read from memory); each attempt's outcome is reported to the target health (queued,
   * sent off the request path). `skipped` holds the targets resolve left out, and receives the breaker's. `gate`
   * (connections' own rate limits) is asked before each target: it may move the target to another connection, or
   * skip it; when the last target considered was skipped by it, the call ends with its 429.
   */
  private async run<R extends object>(
    targets: RouteTarget[],
    basePolicy: ExecutionPolicy,
    cancel: Cancellation,
    attempts: LogAttempt[] | undefined,
    skipped: TargetSkip[] | undefined,
    gate: TargetGate | undefined,
    attempt: (target: RouteTarget, policy: ExecutionPolicy) => Promise<AttemptResult<R>>,
  ): Promise<R & { meta: ExecutionMeta }> {
    const started = performance.now();
    const breaker = basePolicy.breaker ?? null;
    // A plain call of a project without a breaker reports nothing: no key, no timing, no queue.
    const health = breaker || basePolicy.trackLatency ? this.options.health : undefined;
    let tried = 0;
    let last: { failure: UpstreamFailure; target: RouteTarget } | undefined;
    let failures: Map<RouteTarget, UpstreamFailure> | undefined;
    let refused: GatewayError | null = null;
    for (const [step, planned] of targets.entries()) {
      let target = planned;
      if (gate) {
        const entering = gate.enter(planned);
        const entered = entering instanceof Promise ? await entering : entering;
        if (!entered) {
          (skipped ??= []).push(skipOf(planned, 'connection_rate_limited'));
          refused = gate.refusal;
          continue;
        }
        target = entered;
        refused = null;
      }
      const key = health ? targetKey(target.connection.id, target.upstreamModel) : '';
      let probe = false;
      if (health && breaker) {
        const state = health.admit(key);
        if (state === 'open') {
          (skipped ??= []).push(skipOf(target, 'circuit_open'));
          continue;
        }
        probe = state === 'half_open';
      }
      // A dynamic route's model element brings its own retries and timeout.
      const policy = target.policy ? { ...basePolicy, ...target.policy } : basePolicy;
      for (let n = 1; n <= policy.maxAttempts; n += 1) {
        if (cancel.aborted) throw new ClientAbortedError();
        tried += 1;
        const attemptStarted = attempts || health ? performance.now() : 0;
        const outcome = await attempt(target, policy);
        const ended = attempts || health ? performance.now() : 0;
        if (attempts) attempts.push(attemptOf(step, target, outcome.ok ? null : outcome.failure, attemptStarted, ended));
        // Only failures of the target count against it (a client error says nothing about its health).
        if (health && (outcome.ok || isRetryable(outcome.failure))) health.report(key, outcome.ok, ended - attemptStarted, breaker, probe);
        probe = false;
        if (outcome.ok) {
          const meta: ExecutionMeta = {
            provider: target.connection.provider,
            model: target.upstreamModel,
            connectionId: target.connection.id,
            step,
            attempts: tried,
            firstByteMs: performance.now() - started,
          };
          if (skipped?.length) meta.skipped = skipped;
          // The stream's tail writes its usage into this very object: add the meta, do not copy.
          return Object.assign(outcome.result, { meta });
        }
        last = { failure: outcome.failure, target };
        if (targets.length > 1) (failures ??= new Map()).set(target, outcome.failure);
        if (!isRetryable(outcome.failure)) break;
        if (n < policy.maxAttempts) {
          const retryAfter = outcome.failure.kind === 'http' ? outcome.failure.retryAfterMs : undefined;
          const delay = Math.max(backoffDelay(policy, n), Math.min(retryAfter ?? 0, policy.retryAfterCapMs));
          await this.sleep(delay, cancel);
        }
      }
      if (!last || !allowsFallback(last.failure)) break;
    }
    const details = failures || skipped?.length ? targetDetails(failures, skipped) : undefined;
    if (refused) throw withDetails(refused, { ...refused.headers, 'x-gateway-attempts': String(tried) }, details);
    if (!last) {
      throw new GatewayError(503, 'api_error', 'no_available_targets', 'No target could be tried: every one was skipped (see error.details).', {
        details,
        headers: { 'x-gateway-attempts': '0' },
      });
    }
    const { provider, credentials } = last.target.connection;
    const err = toGatewayError(last.failure, provider, credentialStrings(credentials), { 'x-gateway-attempts': String(tried) });
    throw details ? withDetails(err, err.headers, details) : err;
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
    return this.guarded<Omit<CompletionResult, 'meta'> | Omit<StreamResult, 'meta'>>(cancel, policy, async ({ upstreamCancel, stopFollowing, handOver }) => {
      const upstream = await adapter.buildRequest(request, ctx);
      const res = await this.send(upstream, upstreamCancel, target);
      if (res.statusCode >= 300) return { ok: false, failure: await httpFailure(res, adapter) };
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
      handOver();
      // The tail records the usage chunk on the result when it passes (after this returns).
      const tail = streamTail(iterator, decoder, upstreamCancel, stopFollowing, target, (usage) => (result.usage = this.account(provider, target.upstreamModel, usage)));
      const result: Omit<StreamResult, 'meta'> = { kind: 'stream', head, tail, usage: this.usageIn(head, target) };
      return { ok: true, result };
    });
  }

  /** One attempt of an endpoint other than chat. */
  private attemptEndpoint(request: EndpointRequest, target: RouteTarget, policy: ExecutionPolicy, cancel: Cancellation): Promise<AttemptResult<Omit<EndpointJsonResult, 'meta'> | Omit<EndpointRawResult, 'meta'>>> {
    const adapter = this.adapters(target.connection.provider);
    const operations = adapter?.operations;
    // The operation's method takes that operation's body: the request pairs them (a union TypeScript cannot correlate).
    const build = operations?.[request.operation] as ((body: EndpointRequest['body'], ctx: AdapterContext) => UpstreamCall | Promise<UpstreamCall>) | undefined;
    if (!adapter || !build) return Promise.resolve({ ok: false, failure: { kind: 'unsupported', param: 'model', message: endpointNotOffered(request.operation, target.connection.provider) } });
    return this.attemptCall(adapter, (ctx) => build.call(operations, request.body, ctx), target, policy, cancel);
  }

  /** One attempt of a call an adapter builds: its upstream requests sent together, the answers combined (or one passed through). */
  private attemptCall(
    adapter: ProviderAdapter,
    build: (ctx: AdapterContext) => UpstreamCall | Promise<UpstreamCall>,
    target: RouteTarget,
    policy: ExecutionPolicy,
    cancel: Cancellation,
  ): Promise<AttemptResult<Omit<EndpointJsonResult, 'meta'> | Omit<EndpointRawResult, 'meta'>>> {
    const ctx: AdapterContext = { target: { ...target.connection, upstreamModel: target.upstreamModel }, stream: false, dropUnsupported: policy.dropUnsupported };
    return this.guarded<Omit<EndpointJsonResult, 'meta'> | Omit<EndpointRawResult, 'meta'>>(cancel, policy, async ({ upstreamCancel, stopFollowing, handOver }) => {
      const call = await build(ctx);
      if (call.read === 'raw') {
        const res = await this.send(call.request, upstreamCancel, target);
        if (res.statusCode >= 300) return { ok: false, failure: await httpFailure(res, adapter, call.sentSecrets) };
        handOver();
        const contentType = call.transform?.contentType ?? String(res.headers['content-type'] ?? 'application/octet-stream');
        // A pass-through event stream's usage is recorded on the result when its event passes (after this returns).
        const onUsage = call.sseUsage ? (usage: Usage) => (result.usage = this.account(target.connection.provider, target.upstreamModel, usage)) : undefined;
        const usage = call.sseUsage && onUsage ? { reader: call.sseUsage, decoder: call.usageEvents, onUsage, upstream: call.usageUpstream === true } : undefined;
        const body = rawBody(res.body, upstreamCancel, stopFollowing, target, call.transform, usage);
        const result: Omit<EndpointRawResult, 'meta'> = { kind: 'raw', contentType, body, usage: null };
        return { ok: true, result };
      }
      const responses = await Promise.all(call.requests.map((r) => this.send(r, upstreamCancel, target)));
      const failed = responses.find((r) => r.statusCode >= 300);
      if (failed) {
        // The other answers are not needed: their bodies are discarded so their connections go back to the pool.
        for (const r of responses) if (r !== failed) r.body.resume();
        return { ok: false, failure: await httpFailure(failed, adapter, call.sentSecrets) };
      }
      const answers = await Promise.all(responses.map(async (r) => ({ body: (await r.body.json()) as unknown, headers: r.headers })));
      const out = call.combine(answers);
      const usage = out.usage ? this.account(target.connection.provider, target.upstreamModel, out.usage) : null;
      return { ok: true, result: { kind: 'json', body: out.body, usage } };
    });
  }

  /**
   * Runs one attempt's upstream work under its own cancellation (the client's, or the first-byte timeout): a
   * thrown failure becomes the attempt's failure. `handOver()` marks a body handed to the consumer, which then
   * owns the cancellation (the timeout no longer applies).
   */
  private async guarded<R>(cancel: Cancellation, policy: ExecutionPolicy, work: (scope: AttemptScope) => Promise<AttemptResult<R>>): Promise<AttemptResult<R>> {
    const upstreamCancel = new Cancellation();
    const stopFollowing = cancel.onAbort(() => upstreamCancel.abort(new ClientAbortedError()));
    const timer = setTimeout(() => upstreamCancel.abort(TIMEOUT), policy.requestTimeoutMs);
    let handedOver = false;
    const handOver = () => {
      clearTimeout(timer);
      handedOver = true;
    };
    try {
      return await work({ upstreamCancel, stopFollowing, handOver });
    } catch (err) {
      if (cancel.aborted) throw new ClientAbortedError();
      return { ok: false, failure: classifyFailure(err, upstreamCancel.aborted && upstreamCancel.reason === TIMEOUT) };
    } finally {
      clearTimeout(timer);
      if (!handedOver) stopFollowing();
    }
  }

  /** One upstream HTTP request; a base URL an organization set (not the operator) goes through the SSRF-guarded agent. */
  private send(upstream: UpstreamRequest, signal: Cancellation, target: RouteTarget): Promise<Dispatcher.ResponseData> {
    const { baseUrl, baseUrlTrusted } = target.connection;
    const dispatcher = baseUrl && !baseUrlTrusted ? this.untrustedDispatcher : this.dispatcher;
    return dispatcher.request({
      ...splitUrl(upstream.url),
      method: upstream.method ?? 'POST',
      headers: upstream.headers,
      body: upstream.method === 'GET' ? undefined : upstream.body,
      signal,
      bodyTimeout: this.options.bodyIdleTimeoutMs,
      headersTimeout: 0,
    });
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

/** Each target's reason (`error.details`), Keywords AI style: the failure's code and status, or why it was skipped. Never a message (it could quote a credential). */
function targetDetails(failures: Map<RouteTarget, UpstreamFailure> | undefined, skipped: readonly TargetSkip[] | undefined): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const s of skipped ?? []) out.push({ target: s.target, connection: s.connection, reason: s.reason, tried: false });
  for (const [t, f] of failures ?? []) {
    out.push({ target: targetName(t), connection: t.connection.slug, reason: failureCode(f), status: f.kind === 'http' || f.kind === 'stream' ? f.status : null, tried: true });
  }
  return out;
}

/** The same error with these headers and `error.details`. */
const withDetails = (err: GatewayError, headers: Record<string, string>, details: Record<string, unknown>[] | undefined) =>
  new GatewayError(err.status, err.type, err.code, err.message, { param: err.param, headers, details });

/** One attempt's record; `started` and `ended` are `performance.now()` readings. */
function attemptOf(step: number, target: RouteTarget, failure: UpstreamFailure | null, started: number, ended: number): LogAttempt {
  const { connection, upstreamModel } = target;
  return {
    step,
    provider: connection.provider,
    model: upstreamModel,
    connectionId: connection.id,
    status: failure ? (failure.kind === 'http' ? failure.status : null) : 200,
    durationMs: Math.round((ended - started) * 1000) / 1000,
    startMs: Math.round((performance.timeOrigin + started) * 1000) / 1000,
    errorCode: failure ? failureCode(failure) : null,
  };
}

/**
 * A non-2xx upstream answer as a failure, described by the provider's adapter; `sentSecrets` (credentials the call
 * sent that the connection does not store, see UpstreamCall) are removed from its message and bytes here, the
 * stored ones where the failure is turned into the client's error.
 */
export async function httpFailure(res: Pick<Dispatcher.ResponseData, 'statusCode' | 'headers' | 'body'>, adapter: Pick<ProviderAdapter, 'parseError'>, sentSecrets?: readonly string[]): Promise<UpstreamFailure> {
  const raw = await boundedBytes(res.body);
  const bytes = sentSecrets?.length ? scrubBytes(raw, sentSecrets) : raw;
  const info = adapter.parseError(res.statusCode, bytes.toString('utf8'));
  const contentType = res.headers['content-type'];
  return {
    kind: 'http',
    status: res.statusCode,
    message: info.message,
    param: info.param ?? null,
    contextLength: info.contextLength ?? false,
    retryAfterMs: parseRetryAfter(res.headers['retry-after']),
    answer: { status: res.statusCode, contentType: typeof contentType === 'string' ? contentType : 'application/json', headers: keptHeaders(res.headers), body: bytes },
  };
}

/** The message of a 400 for an endpoint the provider does not offer. */
export const endpointNotOffered = (operation: EndpointOperation, provider: string): string => `The ${ENDPOINT_PATHS[operation]} endpoint is not offered by ${provider}.`;

/**
 * An upstream body passed through as it arrives (through `transform` when the provider's framing is not the
 * client's); the upstream request is cancelled when the consumer stops early. With `usage`, the body is an event
 * stream whose events are read (not changed) for the call's usage: in what the client is sent, or with
 * `usage.upstream` in the provider's bytes before `transform`.
 */
async function* rawBody(
  body: AsyncIterable<Buffer>,
  upstreamCancel: Cancellation,
  release: () => void,
  target: RouteTarget,
  transform: ByteTransform | undefined,
  usage: { reader: SseUsageReader; decoder?: () => UsageEventDecoder; onUsage: (usage: Usage) => void; upstream: boolean } | undefined,
): AsyncGenerator<Buffer, void, undefined> {
  const events: UsageEventDecoder | null = usage ? (usage.decoder?.() ?? new SseDecoder()) : null;
  const read = (bytes: Buffer) => {
    if (events) for (const e of events.push(bytes)) readUsage(e, usage!);
    return bytes;
  };
  // Usage read in the provider's bytes (before `transform`), or in the client's.
  const [before, after] = usage?.upstream ? [read, (b: Buffer) => b] : [(b: Buffer) => b, read];
  let finished = false;
  try {
    for await (const chunk of body) {
      const input = before(chunk);
      const out = transform ? Buffer.from(transform.push(input)) : input;
      if (out.length) yield after(out);
    }
    if (transform) {
      const last = Buffer.from(transform.end());
      if (last.length) yield after(last);
    }
    finished = true;
  } catch (err) {
    throw failedMidBody(err, target);
  } finally {
    endBody(finished, release, upstreamCancel);
  }
}

function readUsage(event: { event?: string; data: string }, { reader, onUsage }: { reader: SseUsageReader; onUsage: (usage: Usage) => void }): void {
  const found = reader(event);
  if (found) onUsage(found);
}

/** A failure after the first byte, mapped as one before it would be; no credential may appear in the message. */
function failedMidBody(err: unknown, target: RouteTarget): GatewayError {
  const { provider, credentials } = target.connection;
  return toGatewayError(classifyFailure(err), provider, credentialStrings(credentials));
}

/** A body handed over has ended: stop following the client and, when the consumer stopped early or it failed, cancel the upstream request. */
function endBody(finished: boolean, release: () => void, upstreamCancel: Cancellation): void {
  release();
  if (!finished) upstreamCancel.abort(new ClientAbortedError());
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
    throw failedMidBody(err, target);
  } finally {
    endBody(finished, release, upstreamCancel);
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
