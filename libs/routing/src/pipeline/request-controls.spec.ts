import { parseRequestControls } from './request-controls';

describe('request controls', () => {
  it('are empty without headers or body extensions', () => {
    expect(parseRequestControls({})).toEqual({
      maxAttempts: undefined,
      retryDelayMs: undefined,
      backoff: undefined,
      requestTimeoutMs: undefined,
      dropUnsupported: false,
      translate: false,
      retryParams: undefined,
      fallbackModels: [],
      log: {
        collect: undefined,
        collectPayload: true,
        eventId: null,
        metadata: {},
        customCost: null,
        customerIdentifier: null,
        threadIdentifier: null,
        customIdentifier: null,
      },
      customer: null,
      cache: { skip: false, enabled: false, ttlSeconds: undefined, key: null, byCustomer: false, omitLog: false },
      zdr: false,
      trace: null,
    });
  });

  it("reads an end user's limits from customer_params, naming a bad field", () => {
    const controls = parseRequestControls({}, { customer_identifier: 'u1', customer_params: { rate_limit: 5, period_budget: 2, budget_duration: 'monthly', email: 'a@b.c' } });
    expect(controls.customer).toEqual({ id: 'u1', rpm: 5, budgets: [{ usd: 2, period: '1mo' }] });
    expect(parseRequestControls({}, { customer_params: { customer_identifier: 7, total_budget: 1 } }).customer).toEqual({ id: '7', rpm: null, budgets: [{ usd: 1, period: null }] });
    expect(parseRequestControls({}, { customer_params: { name: 'only descriptive' } }).customer).toBeNull();
    expect(() => parseRequestControls({}, { customer_params: { rate_limit: -1, customer_identifier: 'u' } })).toThrow(expect.objectContaining({ status: 400, param: 'customer_params.rate_limit' }));
    expect(() => parseRequestControls({}, { customer_params: { period_budget: 1, customer_identifier: 'u' } })).toThrow(expect.objectContaining({ param: 'customer_params.budget_duration' }));
    expect(() => parseRequestControls({}, { customer_params: { rate_limit: 1 } })).toThrow(expect.objectContaining({ param: 'customer_identifier' }));
  });

  it('read x-gateway-* headers, cf-aig-* aliases (x-gateway- first), trimmed, the first of repeated values', () => {
    expect(
      parseRequestControls({
        'x-gateway-max-attempts': ' 2 ',
        'cf-aig-max-attempts': '4',
        'cf-aig-retry-delay': '250',
        'x-gateway-backoff': ['exponential', 'linear'],
        'x-gateway-request-timeout': '1500',
        'cf-aig-drop-unsupported': 'true',
      }),
    ).toMatchObject({ maxAttempts: 2, retryDelayMs: 250, backoff: 'exponential', requestTimeoutMs: 1500, dropUnsupported: true });
    expect(parseRequestControls({ 'x-gateway-drop-unsupported': 'yes' }).dropUnsupported).toBe(false);
    expect(parseRequestControls({ 'x-gateway-max-attempts': '' }).maxAttempts).toBeUndefined();
    expect(parseRequestControls({ 'x-gateway-translate': 'true' }).translate).toBe(true);
    expect(() => parseRequestControls({ 'x-gateway-translate': 'yes' })).toThrow(expect.objectContaining({ status: 400, param: 'x-gateway-translate' }));
  });

  it('take the body extensions: retry_params and fallback_models', () => {
    const controls = parseRequestControls({}, { retry_params: { num_retries: 2 }, fallback_models: ['gpt-4o', '@backup/gpt-4o'] });
    expect(controls).toMatchObject({ retryParams: { num_retries: 2 }, fallbackModels: ['gpt-4o', '@backup/gpt-4o'] });
  });

  it.each([
    [{ 'x-gateway-max-attempts': '0' }, 'Header x-gateway-max-attempts must be an integer from 1 to 5.'],
    [{ 'cf-aig-max-attempts': '2.5' }, 'Header cf-aig-max-attempts must be an integer from 1 to 5.'],
    [{ 'x-gateway-retry-delay': '-1' }, 'Header x-gateway-retry-delay must be an integer from 0 to 5000.'],
    [{ 'x-gateway-request-timeout': '600001' }, 'Header x-gateway-request-timeout must be an integer from 1 to 600000.'],
    [{ 'cf-aig-backoff': 'random' }, 'Header cf-aig-backoff must be constant, linear or exponential.'],
  ])('refuse %j with a 400 naming the header', (headers, message) => {
    expect(() => parseRequestControls(headers)).toThrow(expect.objectContaining({ status: 400, message, param: Object.keys(headers)[0] }));
  });

  describe('log controls', () => {
    it('read the metadata header: scalars kept, the first five entries, the cf-aig alias', () => {
      const header = JSON.stringify({ a: 'x', b: 2, c: true, d: 'd', e: 'e', f: 'dropped', g: 'dropped' });
      expect(parseRequestControls({ 'cf-aig-metadata': header }).log.metadata).toEqual({ a: 'x', b: 2, c: true, d: 'd', e: 'e' });
    });

    it('put the header metadata over the body metadata, which is free-form (numbers, nested values)', () => {
      const controls = parseRequestControls({ 'x-gateway-metadata': '{"team":"header"}' }, { metadata: { team: 'body', n: 3, nested: { k: [1] } } });
      expect(controls.log.metadata).toEqual({ team: 'header', n: 3, nested: { k: [1] } });
      expect(parseRequestControls({}, { metadata: { n: 1.5 } }).log.metadata).toEqual({ n: 1.5 });
    });

    it.each([
      ['[1]', 'Header x-gateway-metadata must be a JSON object of string, number or boolean values.'],
      ['"text"', 'Header x-gateway-metadata must be a JSON object of string, number or boolean values.'],
      ['{not json', 'Header x-gateway-metadata must be a JSON object of string, number or boolean values.'],
      ['{"a":{"b":1}}', 'Header x-gateway-metadata must be a JSON object of string, number or boolean values ("a" is not).'],
      ['{"a":[1]}', 'Header x-gateway-metadata must be a JSON object of string, number or boolean values ("a" is not).'],
      ['{"a":null}', 'Header x-gateway-metadata must be a JSON object of string, number or boolean values ("a" is not).'],
    ])('refuse the metadata header %s with a 400 naming it', (value, message) => {
      expect(() => parseRequestControls({ 'x-gateway-metadata': value })).toThrow(expect.objectContaining({ status: 400, message, param: 'x-gateway-metadata' }));
    });

    it('read collect-log and collect-log-payload (true|false); disable_log in the body turns the record off', () => {
      expect(parseRequestControls({ 'x-gateway-collect-log': 'true' }).log.collect).toBe(true);
      expect(parseRequestControls({ 'cf-aig-collect-log': 'false' }).log.collect).toBe(false);
      expect(parseRequestControls({ 'x-gateway-collect-log': 'true' }, { disable_log: true }).log.collect).toBe(false);
      expect(parseRequestControls({}, { disable_log: false }).log.collect).toBeUndefined();
      expect(parseRequestControls({ 'cf-aig-collect-log-payload': 'false' }).log.collectPayload).toBe(false);
      expect(parseRequestControls({ 'x-gateway-collect-log-payload': 'true' }).log.collectPayload).toBe(true);
      expect(() => parseRequestControls({ 'x-gateway-collect-log': 'yes' })).toThrow(
        expect.objectContaining({ status: 400, message: 'Header x-gateway-collect-log must be true or false.', param: 'x-gateway-collect-log' }),
      );
      expect(() => parseRequestControls({ 'cf-aig-collect-log-payload': '0' })).toThrow(expect.objectContaining({ status: 400, param: 'cf-aig-collect-log-payload' }));
    });

    it('read the event id (at most 256 characters)', () => {
      expect(parseRequestControls({ 'cf-aig-event-id': ' evt-1 ' }).log.eventId).toBe('evt-1');
      expect(() => parseRequestControls({ 'x-gateway-event-id': 'e'.repeat(257) })).toThrow(
        expect.objectContaining({ status: 400, message: 'Header x-gateway-event-id must be at most 256 characters.', param: 'x-gateway-event-id' }),
      );
    });

    it('read the custom cost in USD per token', () => {
      expect(parseRequestControls({ 'x-gateway-custom-cost': '{"per_token_in":0.000001,"per_token_out":0.000002}' }).log.customCost).toEqual({
        perTokenIn: 0.000001,
        perTokenOut: 0.000002,
      });
    });

    it.each(['{"per_token_in":0.1}', '{"per_token_in":-1,"per_token_out":1}', '{"per_token_in":"1","per_token_out":1}', '[0.1,0.2]', 'cheap'])(
      'refuse the custom cost %s with a 400 naming the header',
      (value) => {
        expect(() => parseRequestControls({ 'cf-aig-custom-cost': value })).toThrow(
          expect.objectContaining({
            status: 400,
            message: 'Header cf-aig-custom-cost must be a JSON object {"per_token_in": USD, "per_token_out": USD} with non-negative numbers.',
            param: 'cf-aig-custom-cost',
          }),
        );
      },
    );

    it('take the identifiers from the body, a number as its text', () => {
      const { log } = parseRequestControls({}, { customer_identifier: 42, thread_identifier: 'th-1', custom_identifier: 7 });
      expect(log).toMatchObject({ customerIdentifier: '42', threadIdentifier: 'th-1', customIdentifier: '7' });
    });
  });

  describe('cache', () => {
    it('read the cache headers (cf-aig-* aliases) and the Keywords AI body fields', () => {
      expect(
        parseRequestControls(
          { 'cf-aig-cache-ttl': '120', 'x-gateway-cache-key': 'faq-1', 'cf-aig-skip-cache': 'false' },
          { cache_enabled: true, cache_ttl: 60, cache_options: { cache_by_customer: true, omit_logs: true } },
        ).cache,
      ).toEqual({ skip: false, enabled: true, ttlSeconds: 120, key: 'faq-1', byCustomer: true, omitLog: true });
      expect(parseRequestControls({}, { cache_ttl: 60 }).cache.ttlSeconds).toBe(60);
      expect(parseRequestControls({ 'x-gateway-skip-cache': 'true' }).cache.skip).toBe(true);
      expect(parseRequestControls({}, { cache_enabled: false }).cache).toMatchObject({ skip: true, enabled: false });
    });

    it("read Cloudflare's older names cf-cache-ttl and cf-skip-cache, after the x-gateway-* and cf-aig-* ones", () => {
      expect(parseRequestControls({ 'cf-cache-ttl': '90', 'cf-skip-cache': 'true' }).cache).toMatchObject({ ttlSeconds: 90, skip: true });
      expect(parseRequestControls({ 'cf-cache-ttl': '90', 'cf-aig-cache-ttl': '30' }).cache.ttlSeconds).toBe(30);
      expect(parseRequestControls({ 'cf-skip-cache': 'false', 'x-gateway-skip-cache': 'true' }).cache.skip).toBe(true);
    });

    it('cf-aig-zdr: true skips the cache both ways; a value other than true or false is a 400', () => {
      const controls = parseRequestControls({ 'cf-aig-zdr': 'true', 'cf-aig-cache-ttl': '60' });
      expect(controls).toMatchObject({ zdr: true, cache: { skip: true, ttlSeconds: 60 } });
      expect(parseRequestControls({ 'cf-aig-zdr': 'false' }).zdr).toBe(false);
      expect(() => parseRequestControls({ 'cf-aig-zdr': '1' })).toThrow(expect.objectContaining({ status: 400, param: 'cf-aig-zdr' }));
    });

    it.each([
      [{ 'x-gateway-cache-ttl': '-1' }, {}, 'x-gateway-cache-ttl'],
      [{ 'cf-aig-cache-ttl': '2592001' }, {}, 'cf-aig-cache-ttl'],
      [{ 'x-gateway-skip-cache': 'yes' }, {}, 'x-gateway-skip-cache'],
      [{ 'cf-cache-ttl': '2592001' }, {}, 'cf-cache-ttl'],
      [{ 'cf-skip-cache': 'yes' }, {}, 'cf-skip-cache'],
      [{ 'x-gateway-cache-key': 'k'.repeat(1025) }, {}, 'x-gateway-cache-key'],
      [{}, { cache_ttl: 2_592_001 }, 'cache_ttl'],
      [{}, { cache_options: { cache_by_region: true } }, 'cache_options.cache_by_region'],
      [{}, { cache_options: { omit_log: 'yes' } }, 'cache_options.omit_log'],
      [{}, { cache_options: 'all' }, 'cache_options'],
    ])('refuse %j %j with a 400 naming %s', (headers, body, param) => {
      expect(() => parseRequestControls(headers, body)).toThrow(expect.objectContaining({ status: 400, param }));
    });
  });

  it('keeps only the allow-listed headers a dynamic route may read', () => {
    const controls = parseRequestControls({ 'user-agent': 'acme/1.0', authorization: 'Bearer sy_secret', cookie: 'a=b', 'accept-language': ['en', 'fr'] });
    expect(controls.routeHeaders).toEqual({ 'user-agent': 'acme/1.0', 'accept-language': 'en, fr' });
  });
});
