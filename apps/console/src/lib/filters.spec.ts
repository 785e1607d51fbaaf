import { filterLabel, logsQueryString, operatorsFor, parseFilterValues, upsertFilter, type LogQuery } from './filters';

describe('log filter builder', () => {
  it('offers the operators the logs API accepts for each key', () => {
    expect(operatorsFor('model')).toEqual(['eq', 'neq', 'contains']);
    expect(operatorsFor('cost')).toEqual(['eq', 'neq', 'lt', 'gt', 'lte', 'gte']);
    expect(operatorsFor('success')).toEqual(['eq', 'neq']);
    expect(operatorsFor('nope')).toEqual([]);
  });

  it('types chip values per key: numbers, booleans, dates, ids, "any of" lists and null', () => {
    expect(parseFilterValues('model', 'eq', 'gpt-4o, gpt-4o-mini')).toEqual({ value: ['gpt-4o', 'gpt-4o-mini'] });
    expect(parseFilterValues('cost', 'gt', '0.01')).toEqual({ value: [0.01] });
    expect(parseFilterValues('success', 'eq', 'false')).toEqual({ value: [false] });
    expect(parseFilterValues('cost', 'eq', 'null')).toEqual({ value: [null] });
    expect(parseFilterValues('created_at', 'gte', '2026-12-01T00:00:00Z')).toEqual({ value: ['2026-12-01T00:00:00.000Z'] });
    expect(parseFilterValues('id', 'eq', '0196A3C4-0000-7000-8000-000000000001')).toEqual({ value: ['0196a3c4-0000-7000-8000-000000000001'] });
  });

  it('refuses what the API would refuse, in words', () => {
    expect(parseFilterValues('cost', 'gt', 'cheap')).toEqual({ error: "'cheap' is not a number." });
    expect(parseFilterValues('success', 'eq', 'yes')).toEqual({ error: "'success' is true or false." });
    expect(parseFilterValues('model', 'gt', 'x')).toEqual({ error: "'model' does not take '>'." });
    expect(parseFilterValues('model', 'eq', ' , ')).toEqual({ error: 'Enter a value.' });
    expect(parseFilterValues('created_at', 'lt', 'yesterday')).toEqual({ error: "'yesterday' is not a date (ISO-8601)." });
    expect(parseFilterValues('bogus', 'eq', 'x')).toEqual({ error: "Unknown filter 'bogus'." });
  });

  it('replaces a chip of the same key and operator, keeps others', () => {
    const a = { key: 'model', operator: 'eq' as const, value: ['a'] };
    const b = { key: 'model', operator: 'neq' as const, value: ['b'] };
    const c = { key: 'model', operator: 'eq' as const, value: ['c'] };
    expect(upsertFilter(upsertFilter([a], b), c)).toEqual([b, c]);
    expect(filterLabel(c)).toBe('model is c');
    expect(filterLabel({ key: 'cost', operator: 'eq', value: [null, 1] })).toBe('cost is null, 1');
  });

  it('builds the listing query, repeating filters and search with the cursor', () => {
    const q: LogQuery = { filters: [{ key: 'model', operator: 'eq', value: ['gpt-4o'] }], search: ' refund ', orderBy: 'cost', direction: 'asc', perPage: 50 };
    const first = new URLSearchParams(logsQueryString(q));
    expect(JSON.parse(first.get('filters')!)).toEqual(q.filters);
    expect(Object.fromEntries([...first].filter(([k]) => k !== 'filters'))).toEqual({ search: 'refund', order_by: 'cost', order_by_direction: 'asc', per_page: '50' });
    const next = new URLSearchParams(logsQueryString(q, 'eyJvIjo1MH0'));
    expect(next.get('cursor')).toBe('eyJvIjo1MH0');
    expect(next.get('filters')).toBe(first.get('filters'));
    expect(logsQueryString({ ...q, filters: [], search: '', orderBy: 'created_at', direction: 'desc' })).toBe('per_page=50');
  });
});
