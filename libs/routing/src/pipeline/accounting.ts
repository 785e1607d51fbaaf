import { PriceCatalog, tokenUsageOf, type PriceOverride, type ReportedUsage, type UsageRecord } from '@switchyard/metering';
import type { ProviderId } from '@switchyard/types';
import type { ModelCatalog } from '../catalog/catalog';

/**
 * Stage 6, account: the usage record of a call once its usage is known (a completion's at once, a stream's
 * when its usage chunk passes; the executor calls it). Today it prices the call; settling budgets and
 * appending the log record and spans hook in here later.
 */
export type Accounting = (provider: ProviderId, model: string, usage: ReportedUsage | null | undefined) => UsageRecord;

/** Every call priced from the price catalog. */
export const pricedAccounting =
  (prices: PriceCatalog): Accounting =>
  (provider, model, usage) =>
    prices.record(provider, model, usage);

/** Tokens only, no price (an executor built without accounting, e.g. in tests). */
export const noAccounting: Accounting = (provider, model, usage) => ({ provider, model, tokens: tokenUsageOf(usage), cost: null });

/** The router's prices: the maintained genai-prices data, overridden by the model catalog's checked-in prices. */
export function priceCatalogOf(catalog: ModelCatalog): PriceCatalog {
  const overrides: PriceOverride[] = catalog.all().flatMap(({ providers, pricing }) =>
    !pricing ? [] : providers.map(({ provider, model }) => ({
      provider,
      model,
      price: { input: pricing.input_per_mtok, output: pricing.output_per_mtok, cacheRead: pricing.cached_input_per_mtok ?? undefined },
    })),
  );
  return new PriceCatalog(overrides);
}
