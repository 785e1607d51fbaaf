import { createTestEnvironment, freePort, httpJson, MockOpenAIServer, seedTenant, startServiceProcess, type SeededTenant, type ServiceProcess, type TestEnvironment } from '@switchyard/testing';
import { Redis } from 'ioredis';
import OpenAI from 'openai';

/** Identical concurrent misses across two router processes (one Redis) make one upstream call. Needs `npm run build`. */
describe('exact cache across two router processes', () => {
  let env: TestEnvironment;
  let routers: ServiceProcess[];
  let upstream: MockOpenAIServer;
  let tenant: SeededTenant;
  let clients: OpenAI[];
  const N = 50;

  beforeAll(async () => {
    env = await createTestEnvironment();
    routers = await Promise.all([startServiceProcess('router', env.env, await freePort()), startServiceProcess('router', env.env, await freePort())]);
    upstream = await MockOpenAIServer.start();
    tenant = await seedTenant(routers[0]!.url, env.config.admin.token, { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-replicas-0123456789' }, base_url: upstream.url });
    const patched = await httpJson(`${routers[0]!.url}/v1/admin/organizations/${tenant.organizationId}/projects/default`, {
      method: 'PATCH',
      token: env.config.admin.token,
      body: { cache_ttl: 600, retry_max_attempts: 1 },
    });
    expect(patched.status).toBe(200);
    clients = routers.map((r) => new OpenAI({ apiKey: tenant.projectKey, baseURL: `${r.url}/v1`, maxRetries: 0 }));
  }, 60_000);

  afterEach(() => upstream.reset());

  afterAll(async () => {
    await Promise.all((routers ?? []).map((r) => r.stop()));
    await upstream?.close();
    await env?.cleanup();
  });

  const statuses = (all: { response: Response }[]) => all.map((r) => r.response.headers.get('x-gateway-cache-status')).sort();

  it(`${N} concurrent identical JSON requests over both routers: one upstream call, ${N} identical answers, ${N - 1} HIT`, async () => {
    upstream.defaultScript = { content: 'coalesced answer', delayBeforeHeadersMs: 300, usage: { prompt_tokens: 5, completion_tokens: 2 } };
    const all = await Promise.all(
      Array.from({ length: N }, (_, i) => clients[i % 2]!.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'json coalescing' }] }).withResponse()),
    );
    expect(upstream.requests).toHaveLength(1);
    expect(new Set(all.map((r) => JSON.stringify(r.data))).size).toBe(1);
    expect(all[0]!.data.choices[0]?.message.content).toBe('coalesced answer');
    expect(statuses(all)).toEqual([...Array<string>(N - 1).fill('HIT'), 'MISS']);
  });

  it(`${N} concurrent identical streams over both routers: one upstream call, the same text everywhere`, async () => {
    upstream.defaultScript = { content: ['one ', 'two ', 'three'], delayBeforeHeadersMs: 300, chunkDelayMs: 20, usage: { prompt_tokens: 5, completion_tokens: 3 } };
    const all = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const { data, response } = await clients[i % 2]!.chat.completions
          .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream coalescing' }] })
          .withResponse();
        let text = '';
        for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
        return { text, response };
      }),
    );
    expect(upstream.requests).toHaveLength(1);
    expect(new Set(all.map((r) => r.text))).toEqual(new Set(['one two three']));
    expect(statuses(all)).toEqual([...Array<string>(N - 1).fill('HIT'), 'MISS']);
  });

  /** A stream's assembled text and tool calls, and when its first chunk and its end arrived. */
  const consume = async (client: OpenAI, content: string, signal?: AbortSignal, onChunk?: (n: number) => void) => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content }] }, { signal })
      .withResponse();
    let text = '';
    const tools: Record<number, { id?: string; name?: string; arguments: string }> = {};
    let firstAt = 0;
    let chunks = 0;
    for await (const chunk of data) {
      firstAt ||= performance.now();
      const delta = chunk.choices[0]?.delta;
      text += delta?.content ?? '';
      for (const t of delta?.tool_calls ?? []) {
        const acc = (tools[t.index] ??= { arguments: '' });
        acc.id ??= t.id;
        acc.name ??= t.function?.name;
        acc.arguments += t.function?.arguments ?? '';
      }
      onChunk?.((chunks += 1));
    }
    return { text, tools: Object.values(tools), firstAt, endAt: performance.now(), status: response.headers.get('x-gateway-cache-status') };
  };
  const slowToolStream = { content: ['Looking ', 'it ', 'up.'], toolCalls: [{ id: 'call_live', name: 'lookup', arguments: ['{"q":', '"live"}'] }], finishReason: 'tool_calls' as const, chunkDelayMs: 150, usage: { prompt_tokens: 5, completion_tokens: 6 } };
  const upstreamCalled = async (n: number) => {
    while (upstream.requests.length < n) await new Promise((r) => setTimeout(r, 5));
  };

  it('stream waiters on both routers relay the filler\'s chunks live: their first chunk before the filler\'s stream ends, the same text and tool calls', async () => {
    upstream.defaultScript = slowToolStream;
    const filler = consume(clients[0]!, 'live stream');
    await upstreamCalled(1);
    const waiters = await Promise.all(Array.from({ length: 20 }, (_, i) => consume(clients[i % 2]!, 'live stream')));
    const first = await filler;
    expect(upstream.requests).toHaveLength(1);
    expect(first.status).toBe('MISS');
    expect(first.text).toBe('Looking it up.');
    expect(first.tools).toEqual([{ id: 'call_live', name: 'lookup', arguments: '{"q":"live"}' }]);
    for (const w of waiters) {
      expect(w).toMatchObject({ status: 'HIT', text: first.text, tools: first.tools });
      expect(w.firstAt).toBeLessThan(first.endAt);
    }
  });

  it('when the filler\'s client leaves mid-stream, its waiters are still answered in full (one of them calls upstream, the rest follow it)', async () => {
    const words = Array.from({ length: 30 }, (_, i) => `w${i} `);
    upstream.defaultScript = { ...slowToolStream, content: words };
    const full = words.join('');
    const abort = new AbortController();
    const waiting = 10;
    let relayedFirst = 0;
    let allStarted: () => void = () => undefined;
    const started = new Promise<void>((r) => (allStarted = r));
    const filler = consume(clients[0]!, 'aborted filler', abort.signal);
    await upstreamCalled(1);
    const waiters = Promise.all(
      Array.from({ length: waiting }, (_, i) => consume(clients[i % 2]!, 'aborted filler', undefined, (n) => n === 1 && (relayedFirst += 1) === waiting && allStarted())),
    );
    await started;
    abort.abort();
    // The SDK ends an aborted stream quietly: the filler's client got a part of the answer only.
    const cut = await filler;
    expect(full.startsWith(cut.text) && cut.text.length < full.length).toBe(true);
    for (const w of await waiters) expect(w).toMatchObject({ status: 'HIT', text: full, tools: [{ id: 'call_live', name: 'lookup', arguments: '{"q":"live"}' }] });
    expect(upstream.requests).toHaveLength(2);
  });

  it('a streamed miss that nobody waits for writes no live stream to Redis; its entry is stored', async () => {
    upstream.defaultScript = { content: ['alone ', 'in ', 'the ', 'stream'], chunkDelayMs: 20, usage: { prompt_tokens: 5, completion_tokens: 4 } };
    const redis = new Redis(env.config.redis.url);
    try {
      const liveKeys = async () => {
        const found: string[] = [];
        for (let cursor = '0'; ; ) {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${env.config.redis.prefix}:cache:*:live:*`, 'COUNT', 1000);
          found.push(...keys);
          cursor = next;
          if (cursor === '0') return new Set(found);
        }
      };
      const before = await liveKeys();
      const ask = () => clients[0]!.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'nobody waits' }] }).withResponse();
      const first = await ask();
      let text = '';
      for await (const chunk of first.data) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('alone in the stream');
      expect(first.response.headers.get('x-gateway-cache-status')).toBe('MISS');
      await new Promise((r) => setTimeout(r, 200));
      expect([...(await liveKeys())].filter((k) => !before.has(k))).toEqual([]);
      const second = await ask();
      for await (const _ of second.data) void _;
      expect(second.response.headers.get('x-gateway-cache-status')).toBe('HIT');
      expect(upstream.requests).toHaveLength(1);
    } finally {
      await redis.quit();
    }
  });

  it('when the first caller fails, a waiter calls upstream itself and the rest are served its answer', async () => {
    upstream.enqueue({ status: 500, errorMessage: 'boom', delayBeforeHeadersMs: 300 });
    upstream.defaultScript = { content: 'second try', delayBeforeHeadersMs: 200 };
    const all = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => clients[i % 2]!.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'failing filler' }] }).withResponse()),
    );
    const ok = all.filter((r) => r.status === 'fulfilled');
    expect(all.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(upstream.requests).toHaveLength(2);
    expect(new Set(ok.map((r) => r.value.data.choices[0]?.message.content))).toEqual(new Set(['second try']));
    expect(statuses(ok.map((r) => r.value))).toEqual([...Array<string>(18).fill('HIT'), 'MISS']);
  });
});
