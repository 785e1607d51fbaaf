import type { ProjectSettings } from '@switchyard/types';
import type { CacheControls } from '../pipeline/request-controls';

/** `x-gateway-cache-key` on a project with caching off caches for 5 minutes (as Cloudflare does). */
export const CUSTOM_KEY_DEFAULT_TTL_SECONDS = 300;
/** `cache_enabled: true` with no TTL anywhere: Keywords AI's default, 30 days. */
export const ENABLED_DEFAULT_TTL_SECONDS = 2_592_000;

export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

/** What the cache does for one request: nothing (not configured), bypass, or use an entry for `ttlSeconds`. */
export type CacheDecision = { use: 'none' } | { use: 'bypass' } | { use: 'cache'; ttlSeconds: number };

const NONE: CacheDecision = { use: 'none' };
const BYPASS: CacheDecision = { use: 'bypass' };

/**
 * Whether and for how long a request is cached, without I/O: the TTL is the header's, else the body's
 * `cache_ttl`, else the project's `cache_ttl`, else 5 minutes with a custom key or 30 days with
 * `cache_enabled: true`. A TTL of 0 is no caching. A project with caching off, and a request that asks
 * nothing of the cache, is `none` (no Redis round trip, no status header).
 */
export function cacheDecision(settings: Pick<ProjectSettings, 'cache_ttl'>, c: CacheControls): CacheDecision {
  const asked = c.enabled || c.key !== null || c.ttlSeconds !== undefined;
  if (c.skip) return asked || settings.cache_ttl > 0 ? BYPASS : NONE;
  if (!asked && settings.cache_ttl === 0) return NONE;
  const fallback = settings.cache_ttl > 0 ? settings.cache_ttl : c.key !== null ? CUSTOM_KEY_DEFAULT_TTL_SECONDS : c.enabled ? ENABLED_DEFAULT_TTL_SECONDS : 0;
  const ttlSeconds = c.ttlSeconds ?? fallback;
  return ttlSeconds > 0 ? { use: 'cache', ttlSeconds } : BYPASS;
}
