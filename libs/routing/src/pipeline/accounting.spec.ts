import { ModelCatalog } from '../catalog/catalog';
import { noAccounting, priceCatalogOf, pricedAccounting } from './accounting';

describe('accounting', () => {
  const catalog = new ModelCatalog();
  const prices = priceCatalogOf(catalog);

  it('prices with the model catalog’s checked-in prices over the maintained data', () => {
    const pricing = catalog.forUpstream('openai', 'gpt-4o-mini')!.pricing!;
    expect(prices.priceOf('openai', 'gpt-4o-mini')).toMatchObject({ input: pricing.input_per_mtok, output: pricing.output_per_mtok });
  });

  it('records every call: tokens and cost, null for a model without a price', () => {
    const account = pricedAccounting(prices);
    const usage = { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 };
    const pricing = catalog.forUpstream('openai', 'gpt-4o-mini')!.pricing!;
    expect(account('openai', 'gpt-4o-mini', usage).cost).toBeCloseTo((100 * pricing.input_per_mtok + 20 * pricing.output_per_mtok) / 1e6, 12);
    expect(account('vllm', 'my-own-model', usage)).toMatchObject({ tokens: { input: 100, output: 20 }, cost: null });
    expect(noAccounting('openai', 'gpt-4o-mini', usage).cost).toBeNull();
  });
});
