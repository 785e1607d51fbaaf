import type { ProviderId } from '@switchyard/types';
import { costOf } from './cost-of';
import { genaiPrice } from './genai-prices';
import type { ModelPrice } from './model-price';
import { reportedCost, tokenUsageOf, type ReportedUsage } from './token-usage';
import type { UsageRecord } from './usage-record';

/** A checked-in price (the router's model catalog): wins over the maintained data, rate by rate. */
export interface PriceOverride {
  provider: ProviderId;
  /** The provider's own model id. */
  model: string;
  price: Partial<ModelPrice>;
}

export type PriceLookup = (provider: ProviderId, model: string) => ModelPrice | undefined;

/**
 * Prices by provider and the provider's own model id: the maintained `@pydantic/genai-prices` data,
 * overridden by checked-in prices. Each model is resolved once and remembered (no work per call after
 * the first but the arithmetic); a model neither source knows has no price.
 */
export class PriceCatalog {
  private readonly overrides = new Map<string, Partial<ModelPrice>>();
  private readonly resolved = new Map<ProviderId, Map<string, ModelPrice | null>>();

  constructor(
    overrides: readonly PriceOverride[] = [],
    private readonly lookup: PriceLookup = genaiPrice,
  ) {
    for (const o of overrides) {
      const rates = Object.entries(o.price).filter(([, rate]) => rate !== undefined);
      this.overrides.set(`${o.provider}/${o.model}`, Object.fromEntries(rates));
    }
  }

  priceOf(provider: ProviderId, model: string): ModelPrice | null {
    let ofProvider = this.resolved.get(provider);
    if (!ofProvider) this.resolved.set(provider, (ofProvider = new Map()));
    let price = ofProvider.get(model);
    if (price === undefined) ofProvider.set(model, (price = this.resolve(provider, model)));
    return price;
  }

  /** The usage record of one call; a cost the provider reported wins, else the price, else null. */
  record(provider: ProviderId, model: string, usage: ReportedUsage | null | undefined): UsageRecord {
    const tokens = tokenUsageOf(usage);
    return { provider, model, tokens, cost: reportedCost(usage) ?? costOf(tokens, this.priceOf(provider, model)) };
  }

  private resolve(provider: ProviderId, model: string): ModelPrice | null {
    const { input, output, ...rest }: Partial<ModelPrice> = { ...this.lookup(provider, model), ...this.overrides.get(`${provider}/${model}`) };
    return input !== undefined && output !== undefined ? { input, output, ...rest } : null;
  }
}
