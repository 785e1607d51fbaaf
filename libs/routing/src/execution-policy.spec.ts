import { DEFAULT_PROJECT_SETTINGS } from '@switchyard/types';
import { backoffDelay, executionPolicy, parseRetryAfter } from './execution-policy';
import { parseRequestControls, type BodyExtensions, type HeaderMap } from './pipeline/request-controls';

const defaults = { requestTimeoutMs: 120_000, retryAfterCapMs: 60_000 };
/** The policy of a request with these headers and body extensions (controls parsed as the edge does). */
const policyOf = (headers: HeaderMap, retryParams?: BodyExtensions['retry_params']) =>
  executionPolicy(DEFAULT_PROJECT_SETTINGS, parseRequestControls(headers, { retry_params: retryParams }), defaults);

describe('execution policy', () => {
  it('computes constant, linear and exponential backoff with ±20% jitter', () => {
    const mid = () => 0.5;
    expect([1, 2, 3].map((n) => backoffDelay({ retryDelayMs: 100, backoff: 'constant' }, n, mid))).toEqual([100, 100, 100]);
    expect([1, 2, 3].map((n) => backoffDelay({ retryDelayMs: 100, backoff: 'linear' }, n, mid))).toEqual([100, 200, 300]);
    expect([1, 2, 3].map((n) => backoffDelay({ retryDelayMs: 100, backoff: 'exponential' }, n, mid))).toEqual([100, 200, 400]);
    expect(backoffDelay({ retryDelayMs: 100, backoff: 'constant' }, 1, () => 0)).toBe(80);
    expect(backoffDelay({ retryDelayMs: 100, backoff: 'constant' }, 1, () => 1)).toBe(120);
  });

  it('lets headers (and cf-aig aliases) override project settings within bounds', () => {
    const p = policyOf({ 'cf-aig-max-attempts': '4', 'x-gateway-retry-delay': '0', 'x-gateway-backoff': 'linear' });
    expect(p).toMatchObject({ maxAttempts: 4, retryDelayMs: 0, backoff: 'linear' });
    expect(() => policyOf({ 'x-gateway-max-attempts': '6' })).toThrow(/x-gateway-max-attempts/);
    expect(() => policyOf({ 'x-gateway-retry-delay': '5001' })).toThrow(/retry-delay/);
    expect(() => policyOf({ 'x-gateway-backoff': 'random' })).toThrow(/backoff/);
    expect(policyOf({}, { retry_enabled: false }).maxAttempts).toBe(1);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
