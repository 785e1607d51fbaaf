import type { ProjectSnapshot } from '@switchyard/auth';
import type { ProviderPathRequest } from '@switchyard/providers';
import { GatewayError, type ChatCompletionChunk, type ChatRequest, type ProviderId } from '@switchyard/types';
import { cacheKeyHash, normalizedRequest } from '../cache/cache-key';
import { cacheDecision, type CacheDecision } from '../cache/cache-plan';
import { continuation, LiveFillFailed, type LiveFeed } from '../cache/live-fill';
import { cachedMeta, captureStream, completionEntry, hitResult, replay, replayJson, replayRaw, type CacheEntry, type CacheLookup, type ResponseCache } from '../cache/response-cache';
import { captureRaw } from '../cache/raw-capture';
import { builtInDetector, checkRequest, checkResponse, redactStrings, type DetectorLookup } from '../dlp/dlp-stage';
import { enabledPolicies, mergeResults, type DlpPolicy } from '../dlp/dlp-policy';
import { checkNativeRequest, checkNativeResponse } from '../dlp/native-dlp';
import type { EndpointResult, ExecutionResult, StreamResult } from '../executor';
import type { RouteTarget } from '../resolve-model';
import type { RequestControls } from './request-controls';

/** The detectors an organization's policies may name: the built-ins and its custom profiles. */
export type DetectorSource = (organizationId: string) => DetectorLookup | Promise<DetectorLookup>;

const NONE: CacheDecision = { use: 'none' };
/** Concurrent fills a stream waiter follows before it calls upstream itself (each followed one failed). */
const MAX_FOLLOWS = 2;
const builtInsOnly: DetectorSource = () => builtInDetector;

/**
 * The exact cache and DLP around the execute stage (docs/governance.md). A hit is served from the cache
 * (cost 0, no DLP, no upstream call); on a miss the REQUEST policies run (BLOCK throws 2029, REDACT rewrites
 * what goes upstream), then the call, then the RESPONSE policies (a stream is buffered; BLOCK throws 2030),
 * and only then is the answer stored: errors and blocked answers never are. A project with neither
 * configured, and a request that asks nothing of the cache, goes straight to the call: no Redis, no scan.
 *
 * Two steps, so that the cache's first look shares the admission stage's Redis round trip: `begin` sends the
 * look (in the same tick as the limits reservation: the shared client pipelines them into one write), then
 * the call either `run`s once admitted or is `abandon`ed when admission refused (the fill lock is freed).
 */
export class GovernedExecution {
  constructor(
    private readonly cache: ResponseCache | null,
    private readonly detectors: DetectorSource = builtInsOnly,
  ) {}

  /** Whether the cache or DLP has anything to do for a call of this project with these controls (from memory). */
  applies(project: ProjectSnapshot, controls: RequestControls): boolean {
    return (this.cache !== null && cacheDecision(project.settings, controls.cache).use === 'cache') || enabledPolicies(project.settings.dlp).length > 0;
  }

  /** Decides from memory what the cache and DLP do for the call and, when it is to be looked up, sends the cache's first look now. */
  begin(project: ProjectSnapshot, request: ChatRequest, controls: RequestControls, targets: readonly RouteTarget[]): GovernedCall {
    const decision = this.cache ? cacheDecision(project.settings, controls.cache) : NONE;
    const policies = enabledPolicies(project.settings.dlp);
    if (decision.use !== 'cache' || !this.cache) return new GovernedCall(this.cache, this.detectors, project, request, decision, policies, null);
    const target = targets[0] ? `${targets[0].connection.id}/${targets[0].upstreamModel}` : '';
    const hash = hashOf(project, controls, controls.cache.key, request.stream === true, target, () => normalizedRequest(request));
    const stop = { aborted: false };
    const found = this.cache.lookup(hash, stop, request.stream === true).catch((): CacheLookup => ({ fill: null }));
    return new GovernedCall(this.cache, this.detectors, project, request, decision, policies, { hash, ttlSeconds: decision.ttlSeconds, found, stop });
  }

  /**
   * The exact cache around a provider-native call (the provider's own body, keyed by the target, whether it
   * streams and `request`, the method, path and body; a custom key in its own namespace, apart from chat's): a hit
   * is the stored answer (cost 0), a miss calls `execute` and stores its JSON answer, or its stream's bytes once the
   * stream has ended cleanly (`captureRaw`). `admitted` is awaited after the look is sent, so both go out in the same
   * tick. On a miss, the project's DLP policies run around the call (`checkNativeRequest`, `checkNativeResponse`):
   * `execute` gets the request as DLP left it.
   */
  async runNative(
    project: ProjectSnapshot,
    controls: RequestControls,
    call: { stream: boolean; target: string; request: () => string },
    native: { provider: ProviderId; request: ProviderPathRequest },
    admitted: Promise<unknown>,
    execute: (request: ProviderPathRequest) => Promise<EndpointResult>,
  ): Promise<EndpointResult> {
    const policies = enabledPolicies(project.settings.dlp);
    const run = policies.length ? () => this.checkedNative(project, policies, native, execute) : () => execute(native.request);
    const decision = this.cache ? cacheDecision(project.settings, controls.cache) : NONE;
    if (decision.use === 'none' || !this.cache) {
      await admitted;
      return run();
    }
    if (decision.use === 'bypass') {
      await admitted;
      return withCacheStatus(await run(), 'BYPASS');
    }
    const started = performance.now();
    const customKey = controls.cache.key === null ? null : `native:${controls.cache.key}`;
    const hash = hashOf(project, controls, customKey, call.stream, call.target, call.request);
    const stop = { aborted: false };
    const found = this.cache.lookup(hash, stop).catch((): CacheLookup => ({ fill: null }));
    const cache = this.cache;
    try {
      await admitted;
    } catch (err) {
      stop.aborted = true;
      void found.then((f) => ('fill' in f && f.fill ? cache.release(hash, f.fill) : undefined));
      throw err;
    }
    const look = await found;
    if ('hit' in look && look.hit.kind === 'json') return replayJson(look.hit, started);
    if ('hit' in look && look.hit.kind === 'raw') return replayRaw(look.hit, started);
    const token = 'fill' in look ? look.fill : null;
    let result: EndpointResult;
    try {
      result = await run();
    } catch (err) {
      void cache.release(hash, token);
      throw err;
    }
    const fill = (entry: CacheEntry) => void cache.fill(hash, token, entry, decision.ttlSeconds);
    if (result.kind === 'json') fill({ kind: 'json', body: result.body, meta: cachedMeta(result.meta) });
    else captureRaw(result, cache.maxEntryBytes, fill, () => void cache.release(hash, token));
    return withCacheStatus(result, 'MISS');
  }

  /** A provider-native call with the project's DLP policies: the request checked (blocked, or redacted), the call, the answer checked. */
  private async checkedNative(
    project: ProjectSnapshot,
    policies: readonly DlpPolicy[],
    native: { provider: ProviderId; request: ProviderPathRequest },
    execute: (request: ProviderPathRequest) => Promise<EndpointResult>,
  ): Promise<EndpointResult> {
    const detectorOf = await this.detectors(project.organizationId);
    const checked = checkNativeRequest(policies, native.provider, native.request, detectorOf);
    const result = await execute(checked.request);
    if (checked.request !== native.request) result.meta.redactLogged = (body) => redactStrings(body, policies, detectorOf);
    const dlp = mergeResults(checked.dlp, await checkNativeResponse(policies, result, detectorOf));
    if (dlp) result.meta.dlp = dlp;
    return result;
  }
}

const withCacheStatus = (result: EndpointResult, status: 'MISS' | 'BYPASS'): EndpointResult => {
  result.meta.cache = status;
  return result;
};

/** The entry hash of a call of this project with these controls (the cache key's parts). */
function hashOf(project: ProjectSnapshot, controls: RequestControls, customKey: string | null, stream: boolean, target: string, request: () => string): string {
  return cacheKeyHash({
    projectId: project.id,
    generation: project.settings.cache_invalidate_on_update ? (project.version ?? 0) : null,
    customer: controls.cache.byCustomer ? (controls.log.customerIdentifier ?? '') : null,
    customKey,
    stream,
    target,
    request,
  });
}

/** The cache look of a call, in flight from `begin`. */
interface CacheLook {
  hash: string;
  ttlSeconds: number;
  found: Promise<CacheLookup>;
  /** Set when the call will not run: the look stops waiting for a concurrent filler. */
  stop: { aborted: boolean };
}

interface Fill {
  hash: string;
  token: string | null;
  ttlSeconds: number;
}

/** One call's cache and DLP, begun (its cache look sent): `run` it once admitted, or `abandon` it. */
export class GovernedCall {
  private readonly started = performance.now();

  constructor(
    private readonly cache: ResponseCache | null,
    private readonly detectors: DetectorSource,
    private readonly project: ProjectSnapshot,
    private readonly request: ChatRequest,
    private readonly decision: CacheDecision,
    private readonly policies: readonly DlpPolicy[],
    private readonly look: CacheLook | null,
  ) {}

  /** Serves a hit, follows a concurrent streamed fill, or runs the call (`execute` gets the request as DLP left it) and stores its answer. */
  async run(execute: (request: ChatRequest) => Promise<ExecutionResult>): Promise<ExecutionResult> {
    const { decision, policies, request } = this;
    if (decision.use === 'none' && !policies.length) return execute(request);
    if (!this.look || !this.cache) return this.call(execute, null);
    return this.serve(await this.look.found, execute, 0);
  }

  private serve(found: CacheLookup, execute: Execute, follows: number): Promise<ExecutionResult> {
    // Provider-native entries are keyed apart (`runNative`): a chat look finds chat answers only.
    if ('hit' in found && found.hit.kind !== 'json' && found.hit.kind !== 'raw') return Promise.resolve(replay(found.hit, this.started));
    if ('follow' in found) return this.follow(found.follow, execute, follows + 1);
    const look = this.look!;
    return this.call(execute, { hash: look.hash, token: 'fill' in found ? found.fill : null, ttlSeconds: look.ttlSeconds });
  }

  /** The call itself: DLP on the request, the upstream call, DLP on the answer, then the answer stored (or the fill lock freed). */
  private async call(execute: Execute, fill: Fill | null): Promise<ExecutionResult> {
    const { decision, policies, request, cache } = this;
    try {
      const detectorOf = policies.length ? await this.detectors(this.project.organizationId) : builtInDetector;
      const checked = checkRequest(policies, request, detectorOf);
      const result = await execute(checked.request);
      if (checked.request !== request) result.meta.redactLogged = (body) => redactStrings(body, policies, detectorOf);
      const dlp = mergeResults(checked.dlp, await checkResponse(policies, result, detectorOf));
      if (dlp) result.meta.dlp = dlp;
      if (decision.use !== 'none') result.meta.cache = decision.use === 'cache' ? 'MISS' : 'BYPASS';
      if (fill && cache) store(cache, fill, result);
      return result;
    } catch (err) {
      if (fill && cache) void cache.release(fill.hash, fill.token);
      throw err;
    }
  }

  /**
   * A concurrent identical stream being filled (here or on another replica): its batches are relayed as they are
   * written, as a HIT. When that fill fails before its first batch, the call looks again (a hit, a new fill to
   * follow, or the lock: its own upstream call); when it fails later, the same, and the new answer continues the
   * stream only where it repeats what the client got (else the stream ends with `cache_fill_failed`).
   */
  private async follow(feed: LiveFeed, execute: Execute, follows: number): Promise<ExecutionResult> {
    const batches = feed.read();
    let first: IteratorResult<ChatCompletionChunk[], void>;
    try {
      first = await batches.next();
    } catch (err) {
      if (err instanceof LiveFillFailed) return this.again(execute, follows);
      throw err;
    }
    if (first.done || !feed.meta) return this.again(execute, follows);
    const result = hitResult(feed.meta, first.value, this.started);
    result.tail = this.followed(result, batches, execute, follows);
    return result;
  }

  private async *followed(result: StreamResult, batches: AsyncGenerator<ChatCompletionChunk[], void>, execute: Execute, follows: number): AsyncGenerator<ChatCompletionChunk[], void, undefined> {
    const relayed = [...result.head];
    try {
      for await (const batch of batches) {
        relayed.push(...batch);
        yield batch;
      }
      return;
    } catch (err) {
      if (!(err instanceof LiveFillFailed)) throw err;
    }
    const own = await this.again(execute, follows);
    if (own.kind !== 'stream') throw fillFailed();
    // From here the answer is this call's: its attempts and cache status in the log record, its usage settled.
    Object.assign(result.meta, own.meta);
    try {
      yield* continuation(relayed, whole(own), fillFailed);
    } finally {
      result.usage = own.usage;
    }
  }

  /** Looks again after a followed fill failed; after MAX_FOLLOWS failed fills, calls upstream without filling. */
  private async again(execute: Execute, follows: number): Promise<ExecutionResult> {
    const found = follows >= MAX_FOLLOWS ? { fill: null } : await this.cache!.lookup(this.look!.hash, undefined, true).catch((): CacheLookup => ({ fill: null }));
    return this.serve(found, execute, follows);
  }

  /** The call will not run (admission refused it): stop waiting for a concurrent filler and free the fill lock the look took. */
  abandon(): void {
    const { look, cache } = this;
    if (!look || !cache) return;
    look.stop.aborted = true;
    void look.found.then((found) => ('fill' in found && found.fill ? cache.release(look.hash, found.fill) : undefined));
  }
}

type Execute = (request: ChatRequest) => Promise<ExecutionResult>;

/**
 * Stores a completion now, a stream once it has ended cleanly (its lock is freed otherwise), writing it live for
 * its waiters as it goes once one has announced itself (else the fill's script tells any that came too late).
 */
function store(cache: ResponseCache, { hash, token, ttlSeconds }: Fill, result: ExecutionResult): void {
  if (result.kind === 'completion') {
    void cache.fill(hash, token, completionEntry(result), ttlSeconds);
    return;
  }
  const live = cache.publisher(hash, token, cachedMeta(result.meta));
  const tell = () => live !== null && !live.tellsWaiters;
  captureStream(
    result,
    cache.maxEntryBytes,
    (entry) => void cache.fill(hash, token, entry, ttlSeconds, tell()),
    () => void cache.release(hash, token, tell()),
    live,
  );
}

async function* whole(result: StreamResult): AsyncGenerator<ChatCompletionChunk[], void, undefined> {
  yield result.head;
  yield* result.tail;
}

const fillFailed = () =>
  new GatewayError(502, 'api_error', 'cache_fill_failed', 'The identical request this stream was relaying failed mid-stream, and a new call did not repeat what was already sent.');
