import data from './models.json';
import { PRICE_MAX_AGE_DAYS, stalePrices } from './price-freshness';

const model = (slug: string, checked: string) => ({ slug, pricing: { input_per_mtok: 1, output_per_mtok: 2, cached_input_per_mtok: null, currency: 'USD', checked } });
const NOW = Date.parse('2026-12-06T12:00:00Z');

describe('catalog price dates', () => {
  it('flags prices checked more than N days ago, and dates that are not dates or lie ahead', () => {
    const flagged = stalePrices([model('fresh', '2026-11-01'), model('edge', '2026-09-07'), model('old', '2026-06-01'), model('bad', 'soon'), model('ahead', '2027-01-01')], NOW, 90);
    expect(flagged.map((p) => [p.slug, p.ageDays])).toEqual([
      ['bad', NaN],
      ['old', 188],
      ['ahead', -26],
    ]);
  });

  // Warns, never fails: a stale price is a reminder to run `node tools/refresh-prices.mjs`, not a broken build.
  it(`the catalog's prices: every one carries a check date; those older than ${PRICE_MAX_AGE_DAYS} days are reported`, () => {
    for (const m of data.models) if (m.pricing) expect(m.pricing.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const stale = stalePrices(data.models, Date.now());
    if (stale.length) {
      console.warn(
        `${stale.length} catalog price(s) not checked in the last ${PRICE_MAX_AGE_DAYS} days (run node tools/refresh-prices.mjs): ` +
          stale.map((p) => `${p.slug} (${p.checked})`).join(', '),
      );
    }
  });
});
