import { logFilterConditions, likePattern, parseLogFilters, type LogFilter } from './log-filters';

const translate = (filters: LogFilter[]) => {
  const params: unknown[] = ['project'];
  const sql = logFilterConditions(filters, (v) => {
    params.push(v);
    return `$${params.length}`;
  });
  return { sql, params: params.slice(1) };
};

const errorOf = (fn: () => unknown): { status: number; param: string | null; message: string } => {
  try {
    fn();
  } catch (err) {
    const e = err as { status: number; param: string | null; message: string };
    return { status: e.status, param: e.param, message: e.message };
  }
  throw new Error('expected an error');
};

describe('log filters to SQL', () => {
  it('binds every value as a parameter, with the column chosen by the key', () => {
    expect(
      translate([
        { key: 'model', operator: 'eq', value: ['gpt-4o', 'gpt-4o-mini'] },
        { key: 'cost', operator: 'gt', value: [0.5] },
        { key: 'success', operator: 'eq', value: [false] },
        { key: 'created_at', operator: 'lt', value: ['2026-01-02T03:04:05Z'] },
        { key: 'provider', operator: 'contains', value: ['open_ai%'] },
      ]),
    ).toEqual({
      sql: [
        'l.model = ANY($2::text[])',
        'l.cost > $3::numeric',
        'l.success = $4::boolean',
        'l.created_at < $5::timestamptz',
        'l.provider ILIKE ANY($6::text[])',
      ],
      params: [['gpt-4o', 'gpt-4o-mini'], 0.5, false, '2026-01-02T03:04:05.000Z', ['%open\\_ai\\%%']],
    });
  });

  it('compares inclusively with gte and lte (numbers and times only)', () => {
    expect(
      translate([
        { key: 'tokens', operator: 'gte', value: [10] },
        { key: 'created_at', operator: 'lte', value: ['2026-01-02T03:04:05Z'] },
      ]),
    ).toEqual({ sql: ['l.tokens >= $2::numeric', 'l.created_at <= $3::timestamptz'], params: [10, '2026-01-02T03:04:05.000Z'] });
    expect(errorOf(() => parseLogFilters(JSON.stringify([{ key: 'model', operator: 'gte', value: ['a'] }])))).toMatchObject({ status: 400, param: 'filters[0]' });
  });

  it('treats null as "is null" for eq and neq, and a NULL column as not equal', () => {
    expect(translate([{ key: 'feedback', operator: 'eq', value: [null] }]).sql).toEqual(['l.feedback IS NULL']);
    expect(translate([{ key: 'feedback', operator: 'neq', value: [1, null] }])).toEqual({
      sql: ['NOT COALESCE((l.feedback = $2::numeric OR l.feedback IS NULL), false)'],
      params: [1],
    });
  });

  it('matches metadata keys and values through jsonb_each_text', () => {
    expect(translate([{ key: 'metadata.value', operator: 'eq', value: ['search', 7] }])).toEqual({
      sql: ['EXISTS (SELECT 1 FROM jsonb_each_text(l.metadata) m WHERE m.value = ANY($2::text[]))'],
      params: [['search', '7']],
    });
    expect(translate([{ key: 'metadata.key', operator: 'neq', value: ['team'] }]).sql).toEqual([
      'NOT EXISTS (SELECT 1 FROM jsonb_each_text(l.metadata) m WHERE m.key = ANY($2::text[]))',
    ]);
  });

  it('keeps SQL in values out of the statement', () => {
    const { sql, params } = translate([{ key: 'customer_identifier', operator: 'eq', value: ["x'); DROP TABLE request_logs; --"] }]);
    expect(sql).toEqual(['l.customer_identifier = $2::text']);
    expect(params).toEqual(["x'); DROP TABLE request_logs; --"]);
  });

  it('parses the query parameter and refuses a bad filter with a 400 naming it', () => {
    expect(parseLogFilters(JSON.stringify([{ key: 'status_code', operator: 'gt', value: ['499'] }]))).toEqual([
      { key: 'status_code', operator: 'gt', value: ['499'] },
    ]);
    expect(parseLogFilters(undefined)).toEqual([]);
    expect(errorOf(() => parseLogFilters('not json'))).toMatchObject({ status: 400, param: 'filters' });
    expect(errorOf(() => parseLogFilters(JSON.stringify([{ key: 'model', operator: 'eq', value: ['a'] }, { key: 'l.id; --', operator: 'eq', value: ['1'] }])))).toMatchObject({
      status: 400,
      param: 'filters[1]',
      message: expect.stringContaining("unknown key 'l.id; --'"),
    });
    expect(errorOf(() => parseLogFilters(JSON.stringify([{ key: 'cost', operator: 'contains', value: ['1'] }])))).toMatchObject({ param: 'filters[0]' });
    expect(errorOf(() => parseLogFilters(JSON.stringify([{ key: 'cost', operator: 'gt', value: ['cheap'] }])))).toMatchObject({
      param: 'filters[0]',
      message: expect.stringContaining("'cost' takes number values"),
    });
    expect(errorOf(() => parseLogFilters(JSON.stringify([{ key: 'id', operator: 'eq', value: ['nope'] }])))).toMatchObject({ param: 'filters[0]' });
    expect(errorOf(() => parseLogFilters(JSON.stringify([{ key: 'cost', operator: 'lt', value: [1, 2] }])))).toMatchObject({ param: 'filters[0]' });
  });

  it('escapes LIKE wildcards', () => {
    expect(likePattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
