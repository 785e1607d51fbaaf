import { DEFAULT_PROJECT_SETTINGS } from '@switchyard/types';
import { backoffDelay, executionPolicy, parseRetryAfter } from './execution-policy';

const defaults = { requestTimeoutMs: 120_000, retryAfterCapMs: 60_000 };

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
    const p = executionPolicy(DEFAULT_PROJECT_SETTINGS, { 'cf-aig-max-attempts': '4', 'x-gateway-retry-delay': '0', 'x-gateway-backoff': 'linear' }, defaults);
    expect(p).toMatchObject({ maxAttempts: 4, retryDelayMs: 0, backoff: 'linear' });
    expect(() => executionPolicy(DEFAULT_PROJECT_SETTINGS, { 'x-gateway-max-attempts': '6' }, defaults)).toThrow(/x-gateway-max-attempts/);
    expect(() => executionPolicy(DEFAULT_PROJECT_SETTINGS, { 'x-gateway-retry-delay': '5001' }, defaults)).toThrow(/retry-delay/);
    expect(() => executionPolicy(DEFAULT_PROJECT_SETTINGS, { 'x-gateway-backoff': 'random' }, defaults)).toThrow(/backoff/);
    expect(executionPolicy(DEFAULT_PROJECT_SETTINGS, {}, defaults, { retry_enabled: false }).maxAttempts).toBe(1);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
