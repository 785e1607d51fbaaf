import { parseChatRequest } from './chat-request';

describe('parseChatRequest', () => {
  it('validates once: the request as sent (unknown fields kept) minus the gateway extensions, and the extensions typed', () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      vendor_field: { kept: true },
      fallback_models: ['gpt-4o'],
      retry_params: { num_retries: 1 },
      customer_identifier: 'c-1',
    };
    const { request, extensions } = parseChatRequest(body);
    expect(request).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], vendor_field: { kept: true } });
    expect(Object.keys(request)).toEqual(['model', 'messages', 'vendor_field']);
    expect(extensions).toMatchObject({ fallback_models: ['gpt-4o'], retry_params: { num_retries: 1 } });
    expect(body).toHaveProperty('fallback_models');
  });

  it.each([
    [null, 'The request body must be a JSON object.'],
    [[], 'The request body must be a JSON object.'],
    [{ model: 'm', messages: [] }, /messages/],
  ])('refuses %j with a 400', (body, message) => {
    expect(() => parseChatRequest(body)).toThrow(expect.objectContaining({ status: 400, message: expect.stringMatching(message) }));
  });

  it('accepts the Keywords AI fields: free-form metadata (kept for the provider), identifiers as strings or numbers, disable_log', () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      metadata: { n: 1, nested: { a: true } },
      customer_identifier: 42,
      thread_identifier: 'th-1',
      custom_identifier: 7,
      disable_log: true,
    };
    const { request, extensions } = parseChatRequest(body);
    expect(request).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], metadata: { n: 1, nested: { a: true } } });
    expect(extensions).toMatchObject({ customer_identifier: 42, thread_identifier: 'th-1', custom_identifier: 7, disable_log: true });
  });

  it.each([
    [{ customer_identifier: { id: 1 } }, /customer_identifier/],
    [{ metadata: 'text' }, /metadata/],
    [{ disable_log: 'yes' }, /disable_log/],
  ])('refuses the extension %j with a 400 naming it', (extra, message) => {
    expect(() => parseChatRequest({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], ...extra })).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringMatching(message) }),
    );
  });
});
