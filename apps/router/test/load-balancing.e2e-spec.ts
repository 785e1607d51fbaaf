import { httpJson, MockOpenAIServer, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { startRouterFixture, type RouterFixture } from './router-fixture';

/** Load balancing, exclusions, capability-aware skips, the circuit breaker and the routing trace (docs/routing.md), with the official SDK. */
describe('load balancing through the router', () => {
  let fx: RouterFixture;
  let env: TestEnvironment, url: string, openai: MockOpenAIServer, groq: MockOpenAIServer, tenant: SeededTenant, client: OpenAI;
  const A = '@openai-main/gpt-4o-mini';
  const B = '@groq-main/llama-3.1-8b-instant';
  const messages = [{ role: 'user' as const, content: 'Hello' }];

  const admin = (path: string, body?: unknown, method?: string) =>
    httpJson<Record<string, unknown>>(`${url}/v1/admin${path}`, { token: env.config.admin.token, body, method });
  const groups = (path = '', body?: unknown, method?: string) => admin(`/organizations/${tenant.organizationId}/projects/default/load-balance-groups${path}`, body, method);
  /** A body with the gateway's extensions (the SDK's types do not know them) and no `model` unless given. */
  const ask = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    client.chat.completions.create({ messages, ...body } as unknown as ChatCompletionCreateParamsNonStreaming, { headers }).withResponse();
  const fail = async (body: Record<string, unknown>): Promise<InstanceType<typeof OpenAI.APIError>> => {
    const error = await ask(body).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof OpenAI.APIError)) throw new Error('expected the request to fail');
    return error;
  };

  const recordOf = (id: string | null) => fx.recordOf(id);

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-lb-openai-secret-key' });
    ({ env, url, upstream: openai, tenant, client } = fx);
    groq = await MockOpenAIServer.start();
    const groqConn = await admin('/connections', {
      organization_id: tenant.organizationId,
      provider: 'groq',
      name: 'groq-main',
      slug: 'groq-main',
      credentials: { api_key: 'gsk-lb-groq-secret-key' },
      base_url: groq.url,
    });
    expect(groqConn.status).toBe(201);
    expect((await admin(`/organizations/${tenant.organizationId}/projects/default`, { retry_max_attempts: 1 }, 'PATCH')).status).toBe(200);
  });

  beforeEach(() => {
    openai.reset();
    groq.reset();
    openai.defaultScript = groq.defaultScript = { content: 'ok', usage: { prompt_tokens: 3, completion_tokens: 1 } };
  });

  afterAll(async () => {
    await fx?.close();
    await groq?.close();
  });

  it('balances an inline group by weight without a model, and says so in x-gateway-route and the log', async () => {
    const counts: Record<string, number> = {};
    let last: Response | undefined;
    for (let i = 0; i < 200; i++) {
      const { response } = await ask({ load_balance_group: { models: [{ model: A, weight: 80 }, { model: B, weight: 20 }] } });
      counts[response.headers.get('x-gateway-provider')!] = (counts[response.headers.get('x-gateway-provider')!] ?? 0) + 1;
      last = response;
    }
    // 200 draws of 80 %: outside 130-190 has a probability far below 1e-6.
    expect(counts['openai']).toBeGreaterThanOrEqual(130);
    expect(counts['openai']).toBeLessThanOrEqual(190);
    expect(counts['openai']! + counts['groq']!).toBe(200);
    expect(last!.headers.get('x-gateway-route')).toMatch(/^group=inline;target=(openai\/gpt-4o-mini|groq\/llama-3\.1-8b-instant)$/);
    const record = await recordOf(last!.headers.get('x-gateway-log-id'));
    expect(record.modelRequested).toBe('load_balance_group');
    expect(record.routing).toMatchObject({ group: null, strategy: 'weighted', candidates: [{ weight: expect.any(Number) }, { weight: expect.any(Number) }] });
  });

  it('a model sent with a group overrides it (Keywords AI)', async () => {
    const { response } = await ask({ model: B, load_balance_group: { models: [{ model: A, weight: 1 }] } });
    expect(response.headers.get('x-gateway-provider')).toBe('groq');
    expect(response.headers.get('x-gateway-route')).toBe('target=groq/llama-3.1-8b-instant');
  });

  it('keeps each user on one member with a sticky group (metadata key)', async () => {
    const group = { models: [{ model: A, weight: 1 }, { model: B, weight: 1 }], strategy: 'sticky', sticky_key: 'metadata.user_id' };
    const seen = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      for (let u = 0; u < 20; u++) {
        const { response } = await ask({ load_balance_group: group }, { 'x-gateway-metadata': JSON.stringify({ user_id: `user-${u}` }) });
        const set = seen.get(`user-${u}`) ?? new Set();
        set.add(response.headers.get('x-gateway-provider')!);
        seen.set(`user-${u}`, set);
      }
    }
    expect([...seen.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set([...seen.values()].map((s) => [...s][0])).size).toBe(2);
  });

  it('moves least-latency traffic off a member whose mock slows down, within 200 requests', async () => {
    const group = { models: [{ model: A, weight: 1 }, { model: B, weight: 1 }], strategy: 'least-latency' };
    for (let i = 0; i < 40; i++) await ask({ load_balance_group: group });
    openai.defaultScript = { content: 'slow', delayBeforeHeadersMs: 40 };
    const late: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { response } = await ask({ load_balance_group: group });
      if (i >= 150) late.push(response.headers.get('x-gateway-provider')!);
    }
    // Once the slow member's average has risen, it only wins a draw of itself twice (about a quarter).
    expect(late.filter((p) => p === 'groq').length).toBeGreaterThanOrEqual(30);
  });

  it('saves groups (CRUD) and routes a request by group_id, id or name', async () => {
    const created = await groups('', { name: 'support-pool', strategy: 'weighted', models: [{ model: B, weight: 1 }] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'support-pool', strategy: 'weighted', sticky_key: 'customer_identifier', models: [{ model: B, weight: 1 }] });
    expect((await groups('', { name: 'support-pool', models: [{ model: A }] })).status).toBe(409);
    const bad = await groups('', { name: 'with-keys', models: [{ model: A, credentials: { api_key: 'sk-x' } }] });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('credentials');
    expect((await groups()).body).toMatchObject({ data: [{ name: 'support-pool' }] });

    const byName = await ask({ load_balance_group: { group_id: 'support-pool' } });
    expect(byName.response.headers.get('x-gateway-route')).toBe('group=support-pool;target=groq/llama-3.1-8b-instant');
    const patched = await groups(`/${created.body['id'] as string}`, { models: [{ model: A, weight: 1 }] }, 'PATCH');
    expect(patched.status).toBe(200);
    const byId = await ask({ load_balance_group: { group_id: created.body['id'] as string } });
    expect(byId.response.headers.get('x-gateway-provider')).toBe('openai');

    expect((await groups('/support-pool', undefined, 'DELETE')).body).toMatchObject({ deleted: true });
    const gone = await fail({ load_balance_group: { group_id: 'support-pool' } });
    expect(gone.status).toBe(404);
    expect(gone.code).toBe('load_balance_group_not_found');
  });

  it('refuses provider credentials inline with a 400 naming the field', async () => {
    const error = await fail({ load_balance_group: { models: [{ model: A, weight: 1, credentials: { api_key: 'sk-inline' } }] } });
    expect(error.status).toBe(400);
    expect(error.param).toBe('load_balance_group.models[0].credentials');
  });

  it('exclude_providers and exclude_models leave targets out; disable_fallback stops after the first', async () => {
    const both = [{ model: A, weight: 1 }, { model: B, weight: 0 }];
    const { response } = await ask({ load_balance_group: { models: both }, exclude_providers: ['openai'] });
    expect(response.headers.get('x-gateway-provider')).toBe('groq');
    expect(response.headers.get('x-gateway-route')).toBe('group=inline;target=groq/llama-3.1-8b-instant;skipped=openai/gpt-4o-mini:excluded_provider');
    expect(openai.requests).toHaveLength(0);

    const all = await fail({ models: [A, B], exclude_models: ['gpt-4o-mini', 'llama-3.1-8b-instant'] });
    expect(all.status).toBe(400);
    expect(all.code).toBe('no_eligible_targets');

    openai.enqueue({ status: 500, errorMessage: 'boom' }, { status: 500, errorMessage: 'boom' });
    expect((await ask({ load_balance_group: { models: both } })).response.headers.get('x-gateway-provider')).toBe('groq');
    const stopped = await fail({ load_balance_group: { models: both }, disable_fallback: true });
    expect(stopped.status).toBe(503);
    // One for the excluded-provider call, one for the fallback: none after the failure with disable_fallback.
    expect(groq.requests).toHaveLength(2);
  });

  it('skips a target the catalog says cannot serve the request (vision), not tried', async () => {
    const image = [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }];
    const { response } = await ask({ messages: image, load_balance_group: { models: [{ model: B, weight: 1 }, { model: A, weight: 0 }] } });
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-route')).toBe('group=inline;target=openai/gpt-4o-mini;skipped=groq/llama-3.1-8b-instant:no_vision');
    expect(groq.requests).toHaveLength(0);
  });

  it('when every target fails, the error carries each reason (no secrets) and the log the decision', async () => {
    openai.enqueue({ status: 503, errorMessage: 'overloaded sk-lb-openai-secret-key' });
    groq.enqueue({ status: 401, errorMessage: 'bad key gsk-lb-groq-secret-key' });
    const raw = await httpJson(`${url}/v1/chat/completions`, {
      token: tenant.projectKey,
      body: { messages, load_balance_group: { models: [{ model: A, weight: 1 }, { model: B, weight: 0 }] } },
    });
    // The last failure decides the status (the provider refused the gateway's key: a 502), the details say each target's.
    expect(raw.status).toBe(502);
    expect(raw.text).not.toContain('secret-key');
    expect((raw.body as { error: { details: unknown } }).error.details).toEqual([
      { target: 'openai/gpt-4o-mini', connection: 'openai-main', reason: expect.any(String), status: 503, tried: true },
      { target: 'groq/llama-3.1-8b-instant', connection: 'groq-main', reason: expect.any(String), status: 401, tried: true },
    ]);
    expect(raw.headers.get('x-gateway-route')).toBe('group=inline;target=none');
    const record = await recordOf(raw.headers.get('x-gateway-log-id'));
    expect(record.success).toBe(false);
    expect(record.routing).toMatchObject({ group: null, chosen: A });
  });

  it('opens the breaker after N failures, skips the target, shows it, and closes after one successful probe', async () => {
    const patched = await admin(
      `/organizations/${tenant.organizationId}/projects/default`,
      { circuit_breaker: { failure_threshold: 2, window_seconds: 60, error_ratio: 1, min_requests: 100, open_seconds: 1 } },
      'PATCH',
    );
    expect(patched.status).toBe(200);
    const withFallback = { model: A, fallback_models: [B] };
    openai.enqueue({ status: 500 }, { status: 500 });
    await ask(withFallback);
    await ask(withFallback);
    expect(openai.requests).toHaveLength(2);
    // The failures are counted off the request path: the breaker opens within a flush.
    let route = '';
    for (let i = 0; i < 50 && !route.includes('circuit_open'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      route = (await ask(withFallback)).response.headers.get('x-gateway-route')!;
    }
    expect(route).toBe('target=groq/llama-3.1-8b-instant;skipped=openai/gpt-4o-mini:circuit_open');
    const health = await admin('/health/targets');
    expect((health.body['data'] as { model: string; state: string }[]).find((t) => t.model === 'gpt-4o-mini')).toMatchObject({ state: 'open' });
    const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/gateway_circuit_breaker_state\{target="[^"]+:gpt-4o-mini"[^}]*\} 2/);

    await new Promise((r) => setTimeout(r, 1100));
    const before = openai.requests.length;
    for (let i = 0; i < 20 && openai.requests.length === before; i++) await ask(withFallback);
    expect(openai.requests.length).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 150));
    expect((await ask(withFallback)).response.headers.get('x-gateway-route')).toBe('target=openai/gpt-4o-mini');
    await admin(`/organizations/${tenant.organizationId}/projects/default`, { circuit_breaker: null }, 'PATCH');
  });
});
