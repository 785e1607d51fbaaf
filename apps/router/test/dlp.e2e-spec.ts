import { httpJson, type MockOpenAIServer, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import type OpenAI from 'openai';
import { startRouterFixture, type RouterFixture } from './router-fixture';

/** DLP through the router with the official SDK (docs/governance.md#dlp). */
describe('DLP through the router', () => {
  let fx: RouterFixture;
  let env: TestEnvironment, url: string, upstream: MockOpenAIServer, tenant: SeededTenant, client: OpenAI;

  const settings = (body: Record<string, unknown>) => fx.settings(body);
  const policies = async (...list: { id: string; action: string; check: string[]; profiles: string[] }[]) => {
    const res = await settings({ dlp: { enabled: true, policies: list.map((p) => ({ enabled: true, ...p })) } });
    expect(res.status).toBe(200);
  };

  const recordOf = (id: string | null) => fx.recordOf(id);

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-dlp-test-0123456789' });
    ({ env, url, upstream, tenant, client } = fx);
  });

  beforeEach(async () => {
    upstream.reset();
    expect((await settings({ dlp: null, cache_ttl: 0, retry_max_attempts: 1 })).status).toBe(200);
  });

  afterAll(() => fx?.close());

  it('refuses policies it cannot enforce with a 400: REDACT on responses, unknown profiles', async () => {
    const redactResponse = await settings({ dlp: { enabled: true, policies: [{ id: 'p', enabled: true, action: 'REDACT', check: ['RESPONSE'], profiles: ['email'] }] } });
    expect(redactResponse.status).toBe(400);
    expect(redactResponse.text).toContain('REDACT applies to REQUEST only');
    const unknown = await settings({ dlp: { enabled: true, policies: [{ id: 'p', enabled: true, action: 'FLAG', check: ['REQUEST'], profiles: ['passport'] }] } });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('built-in profile');
  });

  it('REDACT: the upstream never sees the redacted values; the client gets the DLP header; the log has the findings', async () => {
    await policies({ id: 'redact-pii', action: 'REDACT', check: ['REQUEST'], profiles: ['email', 'credit_card', 'api_key'] });
    const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz123456';
    const { response } = await client.chat.completions
      .create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'user', content: [{ type: 'text', text: `I am jane@example.com, card 4111 1111 1111 1111, key ${secret}` }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'mail', arguments: '{"to":"bob@example.org"}' } }] },
          { role: 'tool', tool_call_id: 't1', content: 'sent to bob@example.org' },
        ],
      })
      .withResponse();
    const sent = JSON.stringify(upstream.requests[0]!.body);
    for (const value of ['jane@example.com', 'bob@example.org', '4111 1111 1111 1111', secret]) expect(sent).not.toContain(value);
    expect(upstream.requests[0]!.text).toContain('I am [EMAIL], card [CREDIT_CARD], key [API_KEY]');
    expect(sent).toContain('{\\"to\\":\\"[EMAIL]\\"}');
    const dlp = JSON.parse(response.headers.get('x-gateway-dlp')!);
    expect(dlp.action).toBe('REDACT');
    expect(dlp.findings.map((f: { profile: { profile_id: string } }) => f.profile.profile_id).sort()).toEqual(['api_key', 'credit_card', 'email']);
    expect(response.headers.get('cf-aig-dlp')).toBe(response.headers.get('x-gateway-dlp'));
    const record = await recordOf(response.headers.get('x-gateway-log-id'));
    expect(record.dlp).toEqual(dlp);
    // The stored request body is the redacted one too: the log never holds what the upstream was kept from.
    const logged = record.bodies!.request!;
    for (const value of ['jane@example.com', 'bob@example.org', '4111 1111 1111 1111', secret]) expect(logged).not.toContain(value);
    expect(logged).toContain('I am [EMAIL], card [CREDIT_CARD], key [API_KEY]');
  });

  it('BLOCK on the request: 400 code 2029, nothing sent upstream, the finding in the header and the log', async () => {
    await policies({ id: 'no-ssn', action: 'BLOCK', check: ['REQUEST'], profiles: ['us_ssn'] });
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'my ssn is 123-45-6789' }] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; type: string; message: string } };
    expect(body.error).toMatchObject({ code: '2029', type: 'invalid_request_error' });
    expect(body.error.message).not.toContain('123-45-6789');
    expect(JSON.parse(res.headers.get('x-gateway-dlp')!)).toEqual({
      action: 'BLOCK',
      findings: [{ check: 'REQUEST', policy_ids: ['no-ssn'], profile: { context: null, entry_ids: ['us_ssn'], profile_id: 'us_ssn' } }],
    });
    expect(upstream.requests).toHaveLength(0);
    const record = await recordOf(res.headers.get('x-gateway-log-id'));
    expect(record).toMatchObject({ statusCode: 400, errorCode: '2029', dlp: { action: 'BLOCK' } });
    // The SDK sees an ordinary 400.
    await expect(client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ssn 123-45-6789' }] })).rejects.toMatchObject({ status: 400, code: '2029' });
  });

  it('FLAG on a streamed response: buffered, passed through unchanged, flagged in the header', async () => {
    await policies({ id: 'watch-ips', action: 'FLAG', check: ['RESPONSE'], profiles: ['ip_address'] });
    upstream.enqueue({ content: ['the host is 10.', '0.0.7', ' ok'] });
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'which host?' }] }).withResponse();
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('the host is 10.0.0.7 ok');
    expect(JSON.parse(response.headers.get('x-gateway-dlp')!)).toMatchObject({ action: 'FLAG', findings: [{ check: 'RESPONSE', policy_ids: ['watch-ips'] }] });
  });

  it('BLOCK on a streamed response: 400 code 2030 before any byte, and the blocked answer is never cached', async () => {
    await policies({ id: 'no-keys-out', action: 'BLOCK', check: ['RESPONSE'], profiles: ['private_key'] });
    expect((await settings({ cache_ttl: 600 })).status).toBe(200);
    const pem = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', '-----END PRIVATE KEY-----'].join('\n');
    upstream.defaultScript = { content: ['here: ', pem.slice(0, 20), pem.slice(20)] };
    const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'leak a key' }] });
    await expect(ask()).rejects.toMatchObject({ status: 400, code: '2030' });
    await expect(ask()).rejects.toMatchObject({ status: 400, code: '2030' });
    expect(upstream.requests).toHaveLength(2);
  });

  it('a cache hit skips DLP', async () => {
    expect((await settings({ cache_ttl: 600 })).status).toBe(200);
    const ask = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'cached before the policy: mail a@example.com' }] }).withResponse();
    await ask();
    await policies({ id: 'block-mail', action: 'BLOCK', check: ['REQUEST'], profiles: ['email'] });
    const hit = await ask();
    expect(hit.response.headers.get('x-gateway-cache-status')).toBe('HIT');
    expect(hit.response.headers.get('x-gateway-dlp')).toBeNull();
    expect(upstream.requests).toHaveLength(1);
  });

  it('custom regex profiles per organization: CRUD with validation, referenced by id, changes applied at once', async () => {
    const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
      httpJson(`${url}/v1/admin/organizations/${tenant.organizationId}/dlp-profiles${path}`, { token: env.config.admin.token, ...init });
    expect((await admin('', { body: { name: 'Bad', patterns: ['(unclosed'] } })).status).toBe(400);
    expect((await admin('', { body: { name: 'Empty', patterns: ['x*'] } })).status).toBe(400);
    expect((await admin('', { body: { name: 'Extra', patterns: ['EMP-\\d{6}'], colour: 'red' } })).status).toBe(400);
    const created = await admin('', { body: { name: 'Employee ID', patterns: ['EMP-\\d{6}'], case_sensitive: false } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Employee ID', patterns: ['EMP-\\d{6}'], case_sensitive: false, organization_id: tenant.organizationId });
    const id = created.body.id as string;
    expect((await admin('')).body.data.map((p: { id: string }) => p.id)).toContain(id);
    expect((await admin(`/${id}`)).body.id).toBe(id);

    const unknown = await settings({ dlp: { enabled: true, policies: [{ id: 'p', enabled: true, action: 'FLAG', check: ['REQUEST'], profiles: ['0190f0f0-0000-7000-8000-000000000000'] }] } });
    expect(unknown.status).toBe(400);
    await policies({ id: 'hide-staff', action: 'REDACT', check: ['REQUEST'], profiles: [id, 'email'] });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'who is emp-123456 (a@b.io)?' }] });
    expect(upstream.requests[0]!.text).toContain('who is [EMPLOYEE_ID] ([EMAIL])?');

    expect((await admin(`/${id}`, { method: 'PATCH', body: { patterns: ['STAFF-\\d{3}'] } })).status).toBe(200);
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'staff-123 and emp-123456' }] });
    expect(upstream.requests[1]!.text).toContain('[EMPLOYEE_ID] and emp-123456');

    expect((await admin(`/${id}`, { method: 'DELETE' })).body).toEqual({ id, deleted: true });
    expect((await admin(`/${id}`)).status).toBe(404);
  });
});
