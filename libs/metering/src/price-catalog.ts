import type { ProviderId } from '@switchyard/types';
import { costOf } from './cost-of';
import { genaiPrice } from './genai-prices';
import type { ModelPrice } from './model-price';
import { reportedCost, tokenUsageOf, type ReportedUsage, type TokenUsage } from './token-usage';
import type { UsageRecord } from './usage-record';

/** A checked-in price (the router's model catalog): wins over the maintained data, rate by rate. */
export interface PriceOverride {
  provider: ProviderId;
  /** The provider's own model id. */
  model: string;
  price: Partial<ModelPrice>;
}

export type PriceLookup = (provider: ProviderId, model: string) => ModelPrice | undefined;

type ByModel<T> = Map<ProviderId, Map<string, T>>;

/**
 * Prices by provider and the provider's own model id: the maintained `@pydantic/genai-prices` data,
 * overridden by checked-in prices rate by rate. Each model is resolved once and remembered (no work per
 * call after the first but the arithmetic); a model neither source knows has no price. A call whose
 * buckets all have a checked-in rate is priced from it alone, so that the maintained data (~3 MB of heap)
 * is loaded only for a model or a bucket (e.g. Claude's cache writes) the checked-in prices lack.
 */
export class PriceCatalog {
  private readonly overrides: ByModel<Partial<ModelPrice>> = new Map();
  private readonly resolved: ByModel<ModelPrice | null> = new Map();

  constructor(
    overrides: readonly PriceOverride[] = [],
    private readonly lookup: PriceLookup = genaiPrice,
  ) {
    for (const o of overrides) {
      const rates = Object.entries(o.price).filter(([, rate]) => rate !== undefined);
      ofProvider(this.overrides, o.provider).set(o.model, Object.fromEntries(rates));
    }
  }

  /** The model's price: the maintained data with the checked-in rates over it; null when neither knows it. */
  priceOf(provider: ProviderId, model: string): ModelPrice | null {
    const resolved = ofProvider(this.resolved, provider);
    let price = resolved.get(model);
    if (price === undefined) resolved.set(model, (price = this.resolve(provider, model)));
    return price;
  }

  /** The usage record of one call; a cost the provider reported wins, else the price, else null. */
  record(provider: ProviderId, model: string, usage: ReportedUsage | null | undefined): UsageRecord {
    const tokens = tokenUsageOf(usage);
    const reported = reportedCost(usage);
    if (reported !== undefined) return { provider, model, tokens, cost: reported };
    const checked = this.overrides.get(provider)?.get(model);
    const price = checked && covers(checked, tokens) ? checked : this.priceOf(provider, model);
    return { provider, model, tokens, cost: costOf(tokens, price) };
  }

  private resolve(provider: ProviderId, model: string): ModelPrice | null {
    const { input, output, ...rest }: Partial<ModelPrice> = { ...this.lookup(provider, model), ...this.overrides.get(provider)?.get(model) };
    return input !== undefined && output !== undefined ? { input, output, ...rest } : null;
  }
}

function ofProvider<T>(map: ByModel<T>, provider: ProviderId): Map<string, T> {
  let models = map.get(provider);
  if (!models) map.set(provider, (models = new Map()));
  return models;
}

/** Whether a checked-in price has a rate for every bucket the call has tokens in (then it prices as the full one would). */
function covers(price: Partial<ModelPrice>, tokens: TokenUsage): price is ModelPrice {
  return (
    price.input !== undefined &&
    price.output !== undefined &&
    (tokens.cacheRead === 0 || price.cacheRead !== undefined) &&
    (tokens.cacheWrite === 0 || price.cacheWrite !== undefined) &&
    (tokens.reasoning === 0 || price.reasoning !== undefined)
  );
}
