import { GatewayError } from '@switchyard/types';
import { parseCfLogDeleteQuery, parseCfLogListQuery } from './cf-log-query';

describe('parseCfLogListQuery', () => {
  it('maps Cloudflare shorthands to filters, inclusive at both ends, and paging to an offset', () => {
    const { query, paging } = parseCfLogListQuery({ model: 'gpt-4o', success: 'false', min_cost: '0.5', max_total_tokens: '100', start_date: '2026-11-01T00:00:00Z', page: '3', per_page: '10' });
    expect(paging).toEqual({ page: 3, perPage: 10 });
    expect(query).toMatchObject({ orderBy: 'created_at', direction: 'desc', limit: 10, offset: 20 });
    expect(query.filters).toEqual([
      { key: 'success', operator: 'eq', value: ['false'] },
      { key: 'model', operator: 'eq', value: ['gpt-4o'] },
      { key: 'cost', operator: 'gte', value: [0.5] },
      { key: 'tokens', operator: 'lte', value: [100] },
      { key: 'created_at', operator: 'gte', value: ['2026-11-01T00:00:00Z'] },
    ]);
  });

  it('reads feedback 1 as thumbs up and 0 as thumbs down (-1), and both spellings of the direction', () => {
    expect(parseCfLogListQuery({ feedback: '0' }).query.filters).toEqual([{ key: 'feedback', operator: 'eq', value: [-1] }]);
    expect(parseCfLogListQuery({ direction: 'asc' }).query.direction).toBe('asc');
    expect(parseCfLogListQuery({ order_by_direction: 'asc', direction: 'asc' }).query.direction).toBe('asc');
    expect(() => parseCfLogListQuery({ order_by_direction: 'asc', direction: 'desc' })).toThrow(GatewayError);
  });

  it('takes filters as a JSON array or as the SDK sends one filter (filters.key/operator/repeated value), not both', () => {
    const json = JSON.stringify([{ key: 'provider', operator: 'eq', value: ['openai'] }]);
    expect(parseCfLogListQuery({ filters: json }).query.filters).toEqual([{ key: 'provider', operator: 'eq', value: ['openai'] }]);
    expect(parseCfLogListQuery({ 'filters.key': 'model', 'filters.operator': 'eq', 'filters.value': ['a', 'b'] }).query.filters).toEqual([
      { key: 'model', operator: 'eq', value: ['a', 'b'] },
    ]);
    expect(() => parseCfLogListQuery({ filters: json, 'filters.key': 'model' })).toThrow(/either/);
    expect(() => parseCfLogListQuery({ 'filters.key': ['model', 'provider'] })).toThrow(/more than once/);
  });

  it('refuses what it cannot honour with a 400 naming the parameter', () => {
    for (const [raw, param] of [
      [{ order_by: 'model_type' }, 'order_by'],
      [{ model_type: 'chat' }, null],
      [{ min_cost: 'cheap' }, 'min_cost'],
      [{ per_page: '0' }, 'per_page'],
      [{ start_date: 'yesterday' }, 'start_date'],
    ] as const) {
      try {
        parseCfLogListQuery(raw as Record<string, string>);
        throw new Error(`accepted ${JSON.stringify(raw)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(GatewayError);
        expect((err as GatewayError).status).toBe(400);
        if (param) expect((err as GatewayError).param).toBe(param);
      }
    }
  });
});

describe('parseCfLogDeleteQuery', () => {
  it('deletes everything matching without a limit, at most limit with one', () => {
    expect(parseCfLogDeleteQuery({}).limit).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseCfLogDeleteQuery({ limit: '5', order_by: 'cost', order_by_direction: 'asc' })).toMatchObject({ limit: 5, orderBy: 'cost', direction: 'asc', filters: [] });
  });
});
