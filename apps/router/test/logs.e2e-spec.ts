import { parseConfig } from '@switchyard/config';
import type { RequestLogRecord } from '@switchyard/metering';
import { ModelCatalog, priceCatalogOf } from '@switchyard/routing';
import { redisKeysContaining, startTcpProxy, viaProxy, type MockOpenAIServer, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import type { Redis } from 'ioredis';
import OpenAI from 'openai';
import { randomBytes } from 'node:crypto';
import { startRouter } from '../src/bootstrap';
import { startRouterFixture, type RouterFixture } from './router-fixture';

/** The router's side of the request logs: one record per request on the log stream, read here directly (the collector's writer is not running). */
describe('request logs through the router', () => {
  let fx: RouterFixture;
  let env: TestEnvironment, url: string, upstream: MockOpenAIServer, tenant: SeededTenant, client: OpenAI, redis: Redis;
  const prices = priceCatalogOf(new ModelCatalog());

  const settings = (body: Record<string, unknown>) => fx.settings(body);
  const records = () => fx.records();
  const recordsWithId = (id: string) => fx.recordsWithId(id);
  const recordOf = (id: string | null) => fx.recordOf(id);

  const chat = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], ...body }),
    });

  /** Whether a request marked with this event id was recorded: a recorded request sent after it is on the stream first. */
  async function recordedEvent(eventId: string): Promise<RequestLogRecord | undefined> {
    upstream.enqueue({ content: 'fence' });
    const fence = await chat({}, { 'x-gateway-collect-log': 'true' });
    await recordOf(fence.headers.get('x-gateway-log-id'));
    return (await records()).find((r) => r.eventId === eventId);
  }

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-log-test-0123456789' });
    ({ env, url, upstream, tenant, client, redis } = fx);
    await settings({ retry_delay: 1, retry_max_attempts: 3, retry_backoff: 'constant' });
  });

  afterEach(() => upstream.reset());

  afterAll(() => fx?.close());

  it('JSON: one record with the tokens per bucket, the catalog cost (also x-gateway-cost), the attempt, metadata and bodies', async () => {
    const usage = { prompt_tokens: 1000, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 200 }, completion_tokens_details: { reasoning_tokens: 100 } };
    upstream.enqueue({ content: 'Hello', usage });
    const { data, response } = await client.chat.completions
      .create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], ...({ metadata: { team: 'search', n: 3 }, customer_identifier: 42, thread_identifier: 'th-1' } as object) },
        { headers: { 'x-gateway-metadata': '{"env":"prod","build":7}', 'cf-aig-event-id': 'evt-json' } },
      )
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello');
    const logId = response.headers.get('x-gateway-log-id');
    expect(response.headers.get('cf-aig-log-id')).toBe(logId);
    const record = await recordOf(logId);
    const cost = prices.record('openai', 'gpt-4o-mini', usage).cost;
    expect(cost).toBeGreaterThan(0);
    expect(Number(response.headers.get('x-gateway-cost'))).toBe(cost);
    expect(record).toMatchObject({
      projectId: tenant.projectId,
      organizationId: tenant.organizationId,
      eventId: 'evt-json',
      requestId: response.headers.get('x-gateway-request-id'),
      customerIdentifier: '42',
      threadIdentifier: 'th-1',
      modelRequested: 'gpt-4o-mini',
      model: 'gpt-4o-mini',
      provider: 'openai',
      statusCode: 200,
      success: true,
      stream: false,
      step: 0,
      tokens: { input: 800, cacheRead: 200, cacheWrite: 0, reasoning: 100, output: 200 },
      cost,
      customCost: false,
      metadata: { team: 'search', n: 3, env: 'prod', build: 7 },
      attempts: [{ step: 0, provider: 'openai', model: 'gpt-4o-mini', status: 200, errorCode: null }],
      errorCode: null,
    });
    expect(JSON.parse(record.bodies!.request!)).toMatchObject({ messages: [{ role: 'user', content: 'Hi' }], customer_identifier: 42 });
    expect(JSON.parse(record.bodies!.response!)).toEqual(data);
    // The body's metadata is recorded; OpenAI's own field takes string values only, so this one (a number in it)
    // stays out of the upstream body, as do the identifiers.
    expect(upstream.requests[0]!.body).not.toHaveProperty('metadata');
    expect(upstream.requests[0]!.body).not.toHaveProperty('customer_identifier');
  });

  it('stream: the log id in the headers, one record with the usage and the stream assembled as the response', async () => {
    upstream.enqueue({ content: ['The', ' quick', ' fox'], usage: { prompt_tokens: 12, completion_tokens: 3 } });
    const { data: stream, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true }).withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('The quick fox');
    expect(response.headers.get('x-gateway-cost')).toBeNull();
    const record = await recordOf(response.headers.get('x-gateway-log-id'));
    expect(record).toMatchObject({ stream: true, statusCode: 200, success: true, tokens: { input: 12, output: 3 }, cost: prices.record('openai', 'gpt-4o-mini', { prompt_tokens: 12, completion_tokens: 3 }).cost });
    expect(record.ttfbMs).toEqual(expect.any(Number));
    const completion = JSON.parse(record.bodies!.response!) as OpenAI.ChatCompletion;
    expect(completion.choices[0]).toMatchObject({ message: { content: 'The quick fox' }, finish_reason: 'stop' });
    expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3 });
  });

  it('tool call (streamed): the response body holds the assembled tool call; a custom cost prices it', async () => {
    upstream.enqueue({ toolCalls: [{ name: 'get_weather', arguments: ['{"ci', 'ty":"Paris"}'] }], usage: { prompt_tokens: 50, completion_tokens: 10 } });
    const { data: stream, response } = await client.chat.completions
      .create(
        {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'Weather in Paris?' }],
          tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
          stream: true,
        },
        { headers: { 'x-gateway-custom-cost': '{"per_token_in":0.001,"per_token_out":0.002}' } },
      )
      .withResponse();
    for await (const _chunk of stream) void _chunk;
    const record = await recordOf(response.headers.get('x-gateway-log-id'));
    expect(record).toMatchObject({ cost: 0.07, customCost: true, tokens: { input: 50, output: 10 } });
    const completion = JSON.parse(record.bodies!.response!) as OpenAI.ChatCompletion;
    expect(completion.choices[0]).toMatchObject({
      message: { tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      finish_reason: 'tool_calls',
    });
  });

  it('a custom cost on a JSON answer is its x-gateway-cost', async () => {
    upstream.enqueue({ content: 'x', usage: { prompt_tokens: 10, completion_tokens: 5 } });
    const res = await chat({}, { 'cf-aig-custom-cost': '{"per_token_in":0.01,"per_token_out":0.1}' });
    expect(res.headers.get('x-gateway-cost')).toBe('0.6');
    expect(await recordOf(res.headers.get('x-gateway-log-id'))).toMatchObject({ cost: 0.6, customCost: true });
  });

  it('success after a retry: every attempt in the record', async () => {
    upstream.enqueue({ status: 500 }, { content: 'ok', usage: { prompt_tokens: 3, completion_tokens: 1 } });
    const res = await chat({});
    expect(res.status).toBe(200);
    const record = await recordOf(res.headers.get('x-gateway-log-id'));
    expect(record.attempts.map((a) => [a.step, a.status, a.errorCode])).toEqual([
      [0, 500, 'provider_unavailable'],
      [0, 200, null],
    ]);
    expect(record).toMatchObject({ success: true, tokens: { input: 3, output: 1 } });
  });

  it('failure after the retries: one record with the status, error code and attempts; the error answer carries the log id', async () => {
    upstream.enqueue({ status: 500 }, { status: 502 }, { status: 503 });
    const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const apiError = err as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(503);
    const record = await recordOf(apiError.headers?.get('x-gateway-log-id') ?? null);
    expect(record).toMatchObject({ statusCode: 503, success: false, errorCode: 'provider_unavailable', model: null, provider: null, cost: null, step: null });
    expect(record.attempts.map((a) => a.status)).toEqual([500, 502, 503]);
    expect(JSON.parse(record.bodies!.response!)).toMatchObject({ error: { code: 'provider_unavailable' } });
  });

  it('refuses a bad metadata or custom cost header with a 400 naming it', async () => {
    const bad = await chat({}, { 'x-gateway-metadata': '{"nested":{"a":1}}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { param: 'x-gateway-metadata' } });
    const cost = await chat({}, { 'cf-aig-custom-cost': '{"per_token_in":-1,"per_token_out":0}' });
    expect(cost.status).toBe(400);
    expect(await cost.json()).toMatchObject({ error: { param: 'cf-aig-custom-cost' } });
  });

  it('a request refused at parse (bad JSON, schema, a header) is recorded too: status, error code, no bodies', async () => {
    const send = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json', ...headers }, body });
    const chatBody = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    const cases: [Response, string][] = [
      [await send('{"model": "gpt-4o-mini", "messages": ['), ''],
      [await send(JSON.stringify({ model: 'gpt-4o-mini', messages: 'no' })), 'gpt-4o-mini'],
      [await send(chatBody, { 'x-gateway-metadata': '[1]' }), 'gpt-4o-mini'],
    ];
    for (const [res, model] of cases) {
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { code: string } };
      const record = await recordOf(res.headers.get('x-gateway-log-id'));
      expect(record).toMatchObject({ statusCode: 400, success: false, errorCode: error.code, modelRequested: model, model: null, provider: null, attempts: [], bodies: null });
    }
    // Its headers still apply when they parse: x-gateway-collect-log: false keeps it out.
    const unlogged = await send('not json', { 'x-gateway-collect-log': 'false' });
    expect(unlogged.status).toBe(400);
    expect(unlogged.headers.get('x-gateway-log-id')).toBeNull();
  });

  describe('the switches', () => {
    afterEach(() => settings({ collect_logs: true, zdr: false }));

    it.each<[string, Record<string, unknown>, Record<string, string>, Record<string, unknown>, 'none' | 'bare' | 'bodies']>([
      ['project collect_logs off: no record', { collect_logs: false }, {}, {}, 'none'],
      ['collect_logs off, x-gateway-collect-log: true: a record', { collect_logs: false }, { 'x-gateway-collect-log': 'true' }, {}, 'bodies'],
      ['cf-aig-collect-log: false: no record', {}, { 'cf-aig-collect-log': 'false' }, {}, 'none'],
      ['disable_log: true: no record', {}, {}, { disable_log: true }, 'none'],
      ['x-gateway-collect-log-payload: false: a record without bodies', {}, { 'x-gateway-collect-log-payload': 'false' }, {}, 'bare'],
      ['zdr: a record without bodies', { zdr: true }, {}, {}, 'bare'],
    ])('%s', async (_name, projectSettings, headers, body, expected) => {
      await settings(projectSettings);
      const eventId = `evt-${randomBytes(6).toString('hex')}`;
      upstream.enqueue({ content: 'switch' });
      const res = await chat(body, { ...headers, 'x-gateway-event-id': eventId });
      expect(res.status).toBe(200);
      await res.text();
      const record = await recordedEvent(eventId);
      if (expected === 'none') {
        expect(record).toBeUndefined();
        expect(res.headers.get('x-gateway-log-id')).toBeNull();
        return;
      }
      expect(record?.id).toBe(res.headers.get('x-gateway-log-id'));
      expect(record!.bodies === null).toBe(expected === 'bare');
    });

    it('zdr: a marker in the request never reaches any Redis value', async () => {
      await settings({ zdr: true });
      const marker = `zdr-marker-${randomBytes(8).toString('hex')}`;
      upstream.enqueue({ content: `echo ${marker}` });
      const res = await chat({ messages: [{ role: 'user', content: marker }] });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(marker);
      const record = await recordOf(res.headers.get('x-gateway-log-id'));
      expect(record.bodies).toBeNull();
      expect(await redisKeysContaining(redis, '*', marker)).toEqual([]);
    });
  });

  it('Redis cut: requests are still answered, records held up to the buffer, the rest dropped and counted in /metrics', async () => {
    const target = new URL(env.config.redis.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const cutEnv = { ...env.env, REDIS_URL: viaProxy(env.config.redis.url, proxy), LOG_BUFFER_MAX_RECORDS: '2' };
    const other = await startRouter(parseConfig(cutEnv), 0);
    try {
      const otherUrl = await other.getUrl();
      const send = () =>
        fetch(`${otherUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
        });
      upstream.enqueue({ content: 'warm' });
      const warm = await send();
      await warm.text();
      await recordOf(warm.headers.get('x-gateway-log-id'));
      proxy.cut();
      const ids: (string | null)[] = [];
      for (let i = 0; i < 5; i += 1) {
        upstream.enqueue({ content: `during ${i}` });
        const res = await send();
        expect(res.status).toBe(200);
        expect((await res.json()) as OpenAI.ChatCompletion).toMatchObject({ choices: [{ message: { content: `during ${i}` } }] });
        ids.push(res.headers.get('x-gateway-log-id'));
      }
      const metrics = await (await fetch(`${otherUrl}/metrics`)).text();
      expect(metrics).toMatch(/^gateway_log_records_dropped_total\{[^}]*\} 3$/m);
      expect(metrics).toMatch(/^gateway_log_records_buffered\{[^}]*\} 2$/m);
      expect(metrics).toMatch(/^gateway_requests_total\{[^}]*status="200"[^}]*\} 6$/m);
      proxy.restore();
      // The two held records reach the stream once Redis is back.
      expect(await recordsWithId(ids[0]!)).toHaveLength(1);
      expect(await recordsWithId(ids[1]!)).toHaveLength(1);
      expect((await records()).filter((r) => ids.slice(2).includes(r.id))).toEqual([]);
    } finally {
      // Redis back first: the router's shutdown waits for its Redis client.
      proxy.restore();
      await other.close();
      await proxy.close();
    }
  });
});
