import type { MockOpenAIServer, SeededTenant, TestEnvironment } from '@switchyard/testing';
import type { Redis } from 'ioredis';
import type OpenAI from 'openai';
import { startRouterFixture, type RouterFixture } from './router-fixture';

/** The exact cache through the router, with the official SDK (docs/governance.md#cache). */
describe('exact cache through the router', () => {
  let fx: RouterFixture;
  let env: TestEnvironment, url: string, upstream: MockOpenAIServer, tenant: SeededTenant, client: OpenAI, redis: Redis;
  let n = 0;
  /** A question no other test asks (entries outlive tests). */
  const fresh = () => `question ${++n} ${Date.now()}`;

  const settings = (body: Record<string, unknown>) => fx.settings(body);

  const ask = (content: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra }, { headers }).withResponse();

  const status = (r: { response: Response }) => r.response.headers.get('x-gateway-cache-status');

  /**
   * The TTL (s) of the one cache entry written since `before` (the set of entry keys then). The entry is written after
   * the answer, held back until the router's next Redis write or a few ms (docs/governance.md): looked for up to 1 s.
   */
  async function entryTtl(before: Set<string>): Promise<number> {
    const written = async () => (await redis.keys(`${env.config.redis.prefix}:cache:*`)).filter((k) => !k.endsWith(':lock') && !before.has(k));
    const deadline = Date.now() + 1000;
    let keys = await written();
    while (!keys.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      keys = await written();
    }
    expect(keys).toHaveLength(1);
    return redis.ttl(keys[0]!);
  }
  const entryKeys = async () => new Set(await redis.keys(`${env.config.redis.prefix}:cache:*`));

  const recordOf = (id: string | null) => fx.recordOf(id);

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-cache-test-0123456789' });
    ({ env, url, upstream, tenant, client, redis } = fx);
  });

  beforeEach(async () => {
    upstream.reset();
    expect((await settings({ cache_ttl: 600, cache_invalidate_on_update: false, retry_max_attempts: 1 })).status).toBe(200);
  });

  afterAll(() => fx?.close());

  it('answers the second identical call from the cache: HIT, same body, one upstream call, cost 0, logged as cached', async () => {
    const q = fresh();
    const first = await ask(q, { temperature: 0 });
    expect(status(first)).toBe('MISS');
    expect(first.response.headers.get('cf-aig-cache-status')).toBe('MISS');
    // Key order and the model's spelling do not matter; the usage option and user label do not change the answer.
    const second = await client.chat.completions
      .create({ temperature: 0, messages: [{ content: q, role: 'user' }], model: 'openai/gpt-4o-mini', user: 'someone' })
      .withResponse();
    expect(status(second)).toBe('HIT');
    expect(second.response.headers.get('cf-aig-cache-status')).toBe('HIT');
    expect(second.data).toEqual(first.data);
    expect(second.response.headers.get('x-gateway-cost')).toBe('0');
    expect(upstream.requests).toHaveLength(1);
    const hit = await recordOf(second.response.headers.get('x-gateway-log-id'));
    expect(hit).toMatchObject({ cached: true, cost: 0, success: true, attempts: [] });
    expect((await recordOf(first.response.headers.get('x-gateway-log-id'))).cached).toBe(false);
    // A different parameter is a different answer.
    expect(status(await ask(q, { temperature: 1 }))).toBe('MISS');
    expect(upstream.requests).toHaveLength(2);
  });

  it('replays a streamed answer as SSE in its original chunking: same text and tool calls', async () => {
    const q = fresh();
    const script = {
      content: ['The ', 'weather', ' is'],
      toolCalls: [{ name: 'get_weather', arguments: ['{"ci', 'ty": "Par', 'is"}'] }],
      finishReason: 'tool_calls' as const,
    };
    upstream.enqueue(script);
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: q }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    const raw = async () => {
      const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json' }, body });
      return { status: res.headers.get('x-gateway-cache-status'), events: (await res.text()).split('\n\n').filter(Boolean) };
    };
    const miss = await raw();
    const hit = await raw();
    expect([miss.status, hit.status]).toEqual(['MISS', 'HIT']);
    expect(hit.events).toEqual(miss.events);
    expect(hit.events.at(-1)).toBe('data: [DONE]');
    expect(upstream.requests).toHaveLength(1);
    // And through the SDK, with usage asked for: the assembled text and tool call.
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: q }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    let text = '';
    let args = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      usage ??= chunk.usage;
    }
    expect(text).toBe('The weather is');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(usage).toBeTruthy();
    expect(upstream.requests).toHaveLength(1);
  });

  it('never caches errors, nor a stream that failed midway', async () => {
    const q = fresh();
    upstream.enqueue({ status: 400, errorMessage: 'bad' });
    await expect(ask(q)).rejects.toMatchObject({ status: 400 });
    expect(status(await ask(q))).toBe('MISS');
    expect(upstream.requests).toHaveLength(2);

    const s = fresh();
    upstream.enqueue({ content: ['a', 'b', 'c'], dropAfterChunks: 2 });
    const broken = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: s }] });
    await expect(
      (async () => {
        for await (const _ of broken) void _;
      })(),
    ).rejects.toBeTruthy();
    const again = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: s }] }).withResponse();
    expect(status(again)).toBe('MISS');
    for await (const _ of again.data) void _;
    expect(upstream.requests).toHaveLength(4);
  });

  it('TTL: header over body cache_ttl over the project cache_ttl', async () => {
    let before = await entryKeys();
    await ask(fresh());
    expect(await entryTtl(before)).toBeGreaterThan(590);
    before = await entryKeys();
    await ask(fresh(), { cache_ttl: 120 });
    expect(await entryTtl(before)).toBeLessThanOrEqual(120);
    before = await entryKeys();
    await ask(fresh(), { cache_ttl: 120 }, { 'cf-aig-cache-ttl': '60' });
    const ttl = await entryTtl(before);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(ttl).toBeGreaterThan(50);
    // A TTL of 0 caches nothing.
    expect(status(await ask(fresh(), {}, { 'x-gateway-cache-ttl': '0' }))).toBe('BYPASS');
    // Out of bounds: a 400 naming the header.
    await expect(ask(fresh(), {}, { 'x-gateway-cache-ttl': 'soon' })).rejects.toMatchObject({ status: 400, error: expect.objectContaining({ param: 'x-gateway-cache-ttl' }) });
  });

  it('skips the cache with x-gateway-skip-cache (and cache_enabled: false): BYPASS, upstream every time', async () => {
    const q = fresh();
    await ask(q);
    expect(status(await ask(q, {}, { 'x-gateway-skip-cache': 'true' }))).toBe('BYPASS');
    expect(status(await ask(q, { cache_enabled: false }))).toBe('BYPASS');
    expect(status(await ask(q))).toBe('HIT');
    expect(upstream.requests).toHaveLength(3);
  });

  it('caching off: no status header; a custom key caches for 5 minutes whatever the body; cache_enabled turns it on', async () => {
    expect((await settings({ cache_ttl: 0 })).status).toBe(200);
    const q = fresh();
    const plain = await ask(q);
    expect(status(plain)).toBeNull();
    expect(status(await ask(q))).toBeNull();
    const key = `faq-${fresh()}`;
    const before = await entryKeys();
    upstream.enqueue({ content: 'the first answer' });
    const first = await ask(fresh(), {}, { 'cf-aig-cache-key': key });
    expect(status(first)).toBe('MISS');
    expect(await entryTtl(before)).toBeGreaterThan(290);
    const other = await ask(fresh(), {}, { 'x-gateway-cache-key': key });
    expect(status(other)).toBe('HIT');
    expect(other.data.choices[0]?.message.content).toBe('the first answer');
    const enabled = fresh();
    expect(status(await ask(enabled, { cache_enabled: true }))).toBe('MISS');
    expect(status(await ask(enabled, { cache_enabled: true }))).toBe('HIT');
    expect(upstream.requests).toHaveLength(4);
  });

  it('cache_by_customer keeps customers apart; omit_log leaves a hit out of the logs', async () => {
    const q = fresh();
    const opts = (customer: string, extra: object = {}) => ({ customer_identifier: customer, cache_options: { cache_by_customer: true, ...extra } });
    expect(status(await ask(q, opts('alice')))).toBe('MISS');
    expect(status(await ask(q, opts('bob')))).toBe('MISS');
    expect(status(await ask(q, opts('alice')))).toBe('HIT');
    expect(upstream.requests).toHaveLength(2);
    const omitted = await ask(q, opts('bob', { omit_log: true }));
    expect(status(omitted)).toBe('HIT');
    expect(omitted.response.headers.get('x-gateway-log-id')).toBeNull();
    await expect(ask(q, { cache_options: { by_region: true } })).rejects.toMatchObject({ status: 400 });
  });

  it('cache_invalidate_on_update: a settings change starts over; without it, entries survive changes', async () => {
    const q = fresh();
    await ask(q);
    expect((await settings({ retry_delay: 11 })).status).toBe(200);
    expect(status(await ask(q))).toBe('HIT');
    expect((await settings({ cache_invalidate_on_update: true })).status).toBe(200);
    const r = fresh();
    expect(status(await ask(r))).toBe('MISS');
    expect(status(await ask(r))).toBe('HIT');
    expect((await settings({ retry_delay: 12 })).status).toBe(200);
    expect(status(await ask(r))).toBe('MISS');
    expect(status(await ask(r))).toBe('HIT');
  });
});
