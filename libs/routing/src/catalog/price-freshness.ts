import type { CatalogModel } from './catalog';

/** How old a catalog price may be before it is flagged (prices move; `node tools/refresh-prices.mjs` refreshes them). */
export const PRICE_MAX_AGE_DAYS = 90;

const DAY_MS = 86_400_000;

export interface PriceAge {
  slug: string;
  checked: string;
  /** Whole days since `checked`; NaN when `checked` is not a YYYY-MM-DD date. */
  ageDays: number;
}

/**
 * The catalog prices checked more than `maxAgeDays` ago, or whose `checked` is not a date or lies in the future:
 * undated first, then oldest first. Models priced otherwise (`pricing: null`: per image, per minute) have no date.
 */
export function stalePrices(models: readonly Pick<CatalogModel, 'slug' | 'pricing'>[], now: number, maxAgeDays = PRICE_MAX_AGE_DAYS): PriceAge[] {
  return models
    .flatMap(({ slug, pricing }) => (pricing ? [{ slug, pricing }] : []))
    .map(({ slug, pricing }) => {
      const at = /^\d{4}-\d{2}-\d{2}$/.test(pricing.checked) ? Date.parse(`${pricing.checked}T00:00:00Z`) : NaN;
      return { slug, checked: pricing.checked, ageDays: Math.floor((now - at) / DAY_MS) };
    })
    .filter((p) => !(p.ageDays >= 0 && p.ageDays <= maxAgeDays))
    .sort((a, b) => (b.ageDays || Infinity) - (a.ageDays || Infinity));
}
