import type { ProviderId } from '@switchyard/types';
import genaiProviders from '../data/genai-providers.json';
import type { ModelPrice, Rate } from './model-price';

/** Our provider ids as `@pydantic/genai-prices` names them (a data file: tools/refresh-prices.mjs reads it too); the others (self-hosted, local) have no price. */
const GENAI_PROVIDER: Partial<Record<ProviderId, string>> = genaiProviders;

type GenaiPrices = typeof import('@pydantic/genai-prices');
let genai: GenaiPrices | undefined;

/**
 * The current price of a provider's model in the `@pydantic/genai-prices` data installed with the package
 * (offline: its remote update is never called). The package (~3 MB of heap) is loaded on the first lookup.
 */
export function genaiPrice(provider: ProviderId, model: string): ModelPrice | undefined {
  const providerId = GENAI_PROVIDER[provider];
  if (!providerId) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  genai ??= require('@pydantic/genai-prices') as GenaiPrices;
  let prices: Record<string, unknown>;
  try {
    const found = genai.calcPrice({ input_tokens: 0, output_tokens: 0 }, model, { providerId });
    if (!found) return undefined;
    prices = found.model_price;
  } catch {
    return undefined;
  }
  const input = rate(prices['input_mtok']);
  const output = rate(prices['output_mtok']);
  if (input === undefined || output === undefined) return undefined;
  const price: ModelPrice = { input, output };
  const cacheRead = rate(prices['cache_read_mtok']);
  const cacheWrite = rate(prices['cache_write_mtok']);
  const reasoning = rate(prices['output_reasoning_mtok']);
  if (cacheRead !== undefined) price.cacheRead = cacheRead;
  if (cacheWrite !== undefined) price.cacheWrite = cacheWrite;
  if (reasoning !== undefined) price.reasoning = reasoning;
  return price;
}

function rate(value: unknown): Rate | undefined {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'base' in value && 'tiers' in value) {
    const { base, tiers } = value as { base: number; tiers: { start: number; price: number }[] };
    return { base, tiers: tiers.map((t) => ({ start: t.start, price: t.price })) };
  }
  return undefined;
}
