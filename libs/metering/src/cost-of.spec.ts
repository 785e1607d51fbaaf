import { costOf, customCostOf } from './cost-of';
import type { ModelPrice } from './model-price';
import { tokenUsageOf, type TokenUsage } from './token-usage';

const none: TokenUsage = { input: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: 0 };
const price: ModelPrice = { input: 2, output: 10, cacheRead: 0.5, cacheWrite: 2.5, reasoning: 20 };

describe('costOf', () => {
  it.each([
    ['uncached input', { input: 1_000_000 }, 2],
    ['cache read', { cacheRead: 1_000_000 }, 0.5],
    ['cache write', { cacheWrite: 1_000_000 }, 2.5],
    ['reasoning', { reasoning: 1_000_000 }, 20],
    ['output', { output: 1_000_000 }, 10],
  ])('prices %s at its own rate', (_bucket, tokens, usd) => {
    expect(costOf({ ...none, ...tokens }, price)).toBe(usd);
  });

  it('adds the buckets up', () => {
    expect(costOf({ input: 1000, cacheRead: 2000, cacheWrite: 3000, reasoning: 400, output: 500 }, price)).toBeCloseTo(0.0235, 12);
  });

  it('prices cache reads and writes without a rate of their own as input, reasoning as output', () => {
    const plain: ModelPrice = { input: 2, output: 10 };
    expect(costOf({ ...none, cacheRead: 1e6, cacheWrite: 1e6 }, plain)).toBe(4);
    expect(costOf({ ...none, reasoning: 1e6 }, plain)).toBe(10);
  });

  it('applies the tier of the call’s input tokens to every bucket', () => {
    const tiered: ModelPrice = { input: { base: 1, tiers: [{ start: 200_000, price: 2 }] }, output: { base: 10, tiers: [{ start: 200_000, price: 15 }] } };
    expect(costOf({ ...none, input: 200_000, output: 1e6 }, tiered)).toBe(0.2 + 10);
    expect(costOf({ ...none, input: 100_000, cacheRead: 100_001, output: 1e6 }, tiered)).toBeCloseTo(0.400002 + 15, 9);
  });

  it('is null for a model without a price, never a made-up number', () => {
    expect(costOf({ ...none, input: 1000, output: 1000 }, null)).toBeNull();
    expect(costOf(none, undefined)).toBeNull();
  });
});

describe('customCostOf', () => {
  it('prices every input bucket at per_token_in and every output bucket at per_token_out', () => {
    const usage: TokenUsage = { input: 100, cacheRead: 50, cacheWrite: 25, reasoning: 10, output: 20 };
    expect(customCostOf(usage, { perTokenIn: 0.000001, perTokenOut: 0.000002 })).toBeCloseTo(175 * 0.000001 + 30 * 0.000002, 12);
    expect(customCostOf(none, { perTokenIn: 1, perTokenOut: 1 })).toBe(0);
  });
});

describe('tokenUsageOf', () => {
  it('splits the OpenAI-shaped usage into disjoint buckets', () => {
    expect(
      tokenUsageOf({
        prompt_tokens: 1000,
        completion_tokens: 300,
        prompt_tokens_details: { cached_tokens: 200 },
        completion_tokens_details: { reasoning_tokens: 100 },
        cache_creation_input_tokens: 300,
      }),
    ).toEqual({ input: 500, cacheRead: 200, cacheWrite: 300, reasoning: 100, output: 200 });
    expect(tokenUsageOf(undefined)).toEqual(none);
    expect(tokenUsageOf({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 50 } })).toEqual({ ...none, cacheRead: 10 });
  });

  it('prices prompt, cached prompt and completion tokens per million (the documents pages)', () => {
    const mini: ModelPrice = { input: 0.15, output: 0.6, cacheRead: 0.075 };
    expect(costOf(tokenUsageOf({ prompt_tokens: 1000, completion_tokens: 200 }), mini)).toBeCloseTo(0.00027, 12);
    expect(costOf(tokenUsageOf({ prompt_tokens: 1000, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 400 } }), mini)).toBeCloseTo(0.00012, 12);
    expect(costOf(tokenUsageOf({ prompt_tokens: 1000, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 400 } }), { input: 0.15, output: 0.6 })).toBeCloseTo(0.00015, 12);
    expect(costOf(tokenUsageOf(undefined), mini)).toBe(0);
  });
});
