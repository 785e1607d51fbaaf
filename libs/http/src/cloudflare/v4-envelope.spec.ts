import { GatewayError } from '@switchyard/types';
import { parsePaging, v4Failure, v4Ok, v4Page } from './v4-envelope';

describe('the Cloudflare V4 envelope', () => {
  it('wraps a result and pages a list with result_info', () => {
    expect(v4Ok({ id: 'a' })).toEqual({ result: { id: 'a' }, success: true, errors: [], messages: [] });
    expect(v4Page(['a', 'b', 'c', 'd', 'e'], { page: 2, perPage: 2 })).toEqual({
      result: ['c', 'd'], success: true, errors: [], messages: [], result_info: { page: 2, per_page: 2, count: 2, total_count: 5 },
    });
    expect(v4Page(['a'], { page: 3, perPage: 2 }).result).toEqual([]);
  });

  it('answers an error with its status as code and the field as a JSON pointer', () => {
    expect(v4Failure(400, 'bad', 'otel.0.url')).toEqual({ result: null, success: false, errors: [{ code: 400, message: 'bad', source: { pointer: '/otel/0/url' } }], messages: [] });
    expect(v4Failure(404, 'gone', null).errors).toEqual([{ code: 404, message: 'gone' }]);
  });

  it('reads page and per_page (defaults 1 and 20, per_page at most 100)', () => {
    expect(parsePaging({})).toEqual({ page: 1, perPage: 20 });
    expect(parsePaging({ page: '4', per_page: '100' })).toEqual({ page: 4, perPage: 100 });
    expect(() => parsePaging({ per_page: '101' })).toThrow(GatewayError);
    expect(() => parsePaging({ page: '0' })).toThrow(GatewayError);
    expect(() => parsePaging({ page: '1.5' })).toThrow(GatewayError);
  });
});
