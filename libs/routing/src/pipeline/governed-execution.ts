import type { ProjectSnapshot } from '@switchyard/auth';
import type { ChatRequest } from '@switchyard/types';
import { cacheKeyHash, normalizedRequest } from '../cache/cache-key';
import { cacheDecision, type CacheDecision } from '../cache/cache-plan';
import { captureStream, completionEntry, replay, type CacheLookup, type ResponseCache } from '../cache/response-cache';
import { builtInDetector, checkRequest, checkResponse, type DetectorLookup } from '../dlp/dlp-stage';
import { enabledPolicies, mergeResults } from '../dlp/dlp-policy';
import type { ExecutionResult } from '../executor';
import type { RouteTarget } from '../resolve-model';
import type { RequestControls } from './request-controls';

/** The detectors an organization's policies may name: the built-ins and its custom profiles. */
export type DetectorSource = (organizationId: string) => DetectorLookup | Promise<DetectorLookup>;

const NONE: CacheDecision = { use: 'none' };
const builtInsOnly: DetectorSource = () => builtInDetector;

/**
 * The exact cache and DLP around the execute stage (docs/governance.md). A hit is served from the cache
 * (cost 0, no DLP, no upstream call); on a miss the REQUEST policies run (BLOCK throws 2029, REDACT rewrites
 * what goes upstream), then the call, then the RESPONSE policies (a stream is buffered; BLOCK throws 2030),
 * and only then is the answer stored: errors and blocked answers never are. A project with neither
 * configured, and a request that asks nothing of the cache, goes straight to the call: no Redis, no scan.
 */
export class GovernedExecution {
  constructor(
    private readonly cache: ResponseCache | null,
    private readonly detectors: DetectorSource = builtInsOnly,
  ) {}

  async run(project: ProjectSnapshot, request: ChatRequest, controls: RequestControls, targets: readonly RouteTarget[], execute: (request: ChatRequest) => Promise<ExecutionResult>): Promise<ExecutionResult> {
    const decision = this.cache ? cacheDecision(project.settings, controls.cache) : NONE;
    const policies = enabledPolicies(project.settings.dlp);
    if (decision.use === 'none' && !policies.length) return execute(request);
    const started = performance.now();
    let fill: { hash: string; token: string | null; ttlSeconds: number } | null = null;
    if (decision.use === 'cache' && this.cache) {
      const hash = cacheKeyHash({
        projectId: project.id,
        generation: project.settings.cache_invalidate_on_update ? (project.version ?? 0) : null,
        customer: controls.cache.byCustomer ? (controls.log.customerIdentifier ?? '') : null,
        customKey: controls.cache.key,
        stream: request.stream === true,
        target: targets[0] ? `${targets[0].connection.id}/${targets[0].upstreamModel}` : '',
        request: () => normalizedRequest(request),
      });
      const found: CacheLookup = await this.cache.lookup(hash).catch(() => ({ fill: null }));
      if ('hit' in found) return replay(found.hit, started);
      fill = { hash, token: found.fill, ttlSeconds: decision.ttlSeconds };
    }
    try {
      const detectorOf = policies.length ? await this.detectors(project.organizationId) : builtInDetector;
      const checked = checkRequest(policies, request, detectorOf);
      const result = await execute(checked.request);
      const dlp = mergeResults(checked.dlp, await checkResponse(policies, result, detectorOf));
      if (dlp) result.meta.dlp = dlp;
      if (decision.use !== 'none') result.meta.cache = decision.use === 'cache' ? 'MISS' : 'BYPASS';
      if (fill && this.cache) this.store(this.cache, fill, result);
      return result;
    } catch (err) {
      if (fill && this.cache) void this.cache.release(fill.hash, fill.token);
      throw err;
    }
  }

  /** Stores a completion now, a stream once it has ended cleanly (its lock is freed otherwise). */
  private store(cache: ResponseCache, fill: { hash: string; token: string | null; ttlSeconds: number }, result: ExecutionResult): void {
    const { hash, token, ttlSeconds } = fill;
    if (result.kind === 'completion') void cache.fill(hash, token, completionEntry(result), ttlSeconds);
    else
      captureStream(
        result,
        cache.maxEntryBytes,
        (entry) => void cache.fill(hash, token, entry, ttlSeconds),
        () => void cache.release(hash, token),
      );
  }
}
