import { parseRequestControls } from './request-controls';

describe('request controls', () => {
  it('are empty without headers or body extensions', () => {
    expect(parseRequestControls({})).toEqual({
      maxAttempts: undefined,
      retryDelayMs: undefined,
      backoff: undefined,
      requestTimeoutMs: undefined,
      dropUnsupported: false,
      retryParams: undefined,
      fallbackModels: [],
    });
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
});
