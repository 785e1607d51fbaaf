import type { ChatRequest } from '@switchyard/types';
import { cacheKeyHash, canonicalJson, normalizedRequest, type CacheKeyParts } from './cache-key';

const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], temperature: 0, ...extra });
const parts = (p: Partial<CacheKeyParts> = {}): CacheKeyParts => ({
  projectId: 'p1',
  generation: null,
  customer: null,
  customKey: null,
  stream: false,
  target: 'conn-1/gpt-4o-mini',
  request: () => normalizedRequest(request()),
  ...p,
});

describe('cache key', () => {
  it('canonical JSON ignores key order at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ b: [1, null, 'é"', { z: undefined, y: [] }], a: {} })).toBe('{"a":{},"b":[1,null,"é\\"",{"y":[]}]}');
  });

  it('keeps the key bytes of stored entries (a different hash for the same call would miss every entry stored before)', () => {
    expect(cacheKeyHash(parts())).toBe('6e5bb35bd3e23206511b65fc64327a3106d6e41b2ac6799202d562204296127d');
  });

  it('normalizes away the model name, usage reporting and labels, but keeps what changes the answer', () => {
    const base = normalizedRequest(request());
    expect(normalizedRequest({ ...request(), model: 'openai/gpt-4o-mini', user: 'u1', metadata: { a: 1 }, stream_options: { include_usage: true } })).toBe(base);
    expect(normalizedRequest(request({ temperature: 1 }))).not.toBe(base);
    expect(normalizedRequest(request({ stream: true }))).not.toBe(base);
    expect(normalizedRequest(request({ stream: false }))).toBe(base);
  });

  it('separates projects, targets, generations, customers and custom keys; is stable', () => {
    const base = cacheKeyHash(parts());
    expect(cacheKeyHash(parts())).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    for (const other of [
      parts({ projectId: 'p2' }),
      parts({ target: 'conn-2/gpt-4o-mini' }),
      parts({ generation: 1 }),
      parts({ customer: 'c1' }),
      parts({ customKey: 'k' }),
      parts({ stream: true }),
    ]) {
      expect(cacheKeyHash(other)).not.toBe(base);
    }
    expect(cacheKeyHash(parts({ customer: 'c1' }))).not.toBe(cacheKeyHash(parts({ customer: 'c2' })));
  });

  it('with a custom key, the request does not matter', () => {
    const one = cacheKeyHash(parts({ customKey: 'k', request: () => 'a' }));
    expect(cacheKeyHash(parts({ customKey: 'k', request: () => 'b', target: 'other' }))).toBe(one);
  });
});
