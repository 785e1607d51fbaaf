import type { CacheControls } from '../pipeline/request-controls';
import { cacheDecision } from './cache-plan';

const controls = (c: Partial<CacheControls> = {}): CacheControls => ({ skip: false, enabled: false, key: null, byCustomer: false, omitLog: false, ...c });
const off = { cache_ttl: 0 };
const on = { cache_ttl: 600 };

describe('cacheDecision', () => {
  it('is none on a project with caching off and a request that asks nothing (no Redis, no header)', () => {
    expect(cacheDecision(off, controls())).toEqual({ use: 'none' });
    expect(cacheDecision(off, controls({ skip: true }))).toEqual({ use: 'none' });
  });

  it('takes the TTL from the header (or body, parsed into ttlSeconds) over the project', () => {
    expect(cacheDecision(on, controls())).toEqual({ use: 'cache', ttlSeconds: 600 });
    expect(cacheDecision(on, controls({ ttlSeconds: 30 }))).toEqual({ use: 'cache', ttlSeconds: 30 });
    expect(cacheDecision(off, controls({ ttlSeconds: 30 }))).toEqual({ use: 'cache', ttlSeconds: 30 });
  });

  it('caches a custom key for 5 minutes on a project with caching off, and for the project TTL when on', () => {
    expect(cacheDecision(off, controls({ key: 'k' }))).toEqual({ use: 'cache', ttlSeconds: 300 });
    expect(cacheDecision(on, controls({ key: 'k' }))).toEqual({ use: 'cache', ttlSeconds: 600 });
  });

  it('caches cache_enabled: true for 30 days when no TTL is set anywhere', () => {
    expect(cacheDecision(off, controls({ enabled: true }))).toEqual({ use: 'cache', ttlSeconds: 2_592_000 });
  });

  it('bypasses on skip (header or cache_enabled: false) and on a TTL of 0', () => {
    expect(cacheDecision(on, controls({ skip: true }))).toEqual({ use: 'bypass' });
    expect(cacheDecision(off, controls({ skip: true, key: 'k' }))).toEqual({ use: 'bypass' });
    expect(cacheDecision(on, controls({ ttlSeconds: 0 }))).toEqual({ use: 'bypass' });
  });
});
