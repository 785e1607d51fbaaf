import { genaiPrice } from './genai-prices';
import type { ModelPrice } from './model-price';
import { PriceCatalog } from './price-catalog';

describe('PriceCatalog', () => {
  it('merges the maintained prices with the checked-in overrides, rate by rate, and resolves each model once', () => {
    const asked: string[] = [];
    const known: ModelPrice = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
    const catalog = new PriceCatalog([{ provider: 'anthropic', model: 'claude-x', price: { input: 2, output: 12, cacheRead: undefined } }], (provider, model) => {
      asked.push(`${provider}/${model}`);
      return model === 'claude-x' ? known : undefined;
    });
    expect(catalog.priceOf('anthropic', 'claude-x')).toEqual({ input: 2, output: 12, cacheRead: 0.3, cacheWrite: 3.75 });
    expect(catalog.priceOf('anthropic', 'claude-x')).toBe(catalog.priceOf('anthropic', 'claude-x'));
    expect(catalog.priceOf('openai-compatible', 'llama')).toBeNull();
    expect(catalog.priceOf('openai-compatible', 'llama')).toBeNull();
    expect(asked).toEqual(['anthropic/claude-x', 'openai-compatible/llama']);
  });

  it('records a call: tokens by bucket, the provider’s own cost first, else the price, else null', () => {
    const catalog = new PriceCatalog([{ provider: 'openai', model: 'gpt-4o-mini', price: { input: 0.15, output: 0.6, cacheRead: 0.075 } }], () => undefined);
    const usage = { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 };
    expect(catalog.record('openai', 'gpt-4o-mini', usage)).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens: { input: 1000, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: 200 },
      cost: 0.00027,
    });
    expect(catalog.record('openai', 'gpt-4o-mini', { ...usage, cost: 0.5 }).cost).toBe(0.5);
    expect(catalog.record('openai-compatible', 'llama', usage).cost).toBeNull();
  });

  it('prices a call from the checked-in rates alone when they cover its buckets, else from the full price', () => {
    const asked: string[] = [];
    const catalog = new PriceCatalog([{ provider: 'anthropic', model: 'claude-x', price: { input: 3, output: 15, cacheRead: 0.3 } }], (provider, model) => {
      asked.push(`${provider}/${model}`);
      return { input: 4, output: 20, cacheWrite: 3.75 };
    });
    expect(catalog.record('anthropic', 'claude-x', { prompt_tokens: 1e6, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 5e5 } }).cost).toBe(1.65);
    expect(asked).toEqual([]);
    expect(catalog.record('anthropic', 'claude-x', { prompt_tokens: 1e6, completion_tokens: 0, cache_creation_input_tokens: 1e6 }).cost).toBe(3.75);
    expect(asked).toEqual(['anthropic/claude-x']);
  });

  it('reads the installed @pydantic/genai-prices data offline, tiers and cache rates included', () => {
    expect(genaiPrice('openai', 'gpt-4o-mini')).toMatchObject({ input: expect.any(Number), output: expect.any(Number), cacheRead: expect.any(Number) });
    expect(genaiPrice('anthropic', 'claude-sonnet-4-5')?.cacheWrite).toBeDefined();
    expect(genaiPrice('openai', 'no-such-model-anywhere')).toBeUndefined();
    expect(genaiPrice('vllm', 'gpt-4o-mini')).toBeUndefined();
  });
});
