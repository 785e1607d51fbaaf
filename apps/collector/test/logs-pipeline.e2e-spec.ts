import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createTestEnvironment,
  freePort,
  httpJson,
  MockOpenAIServer,
  redisKeysContaining,
  seedTenant,
  startServiceProcess,
  tablesContaining,
  type SeededTenant,
  type ServiceProcess,
  type TestEnvironment,
} from '@switchyard/testing';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startCollector } from '../src/bootstrap';

/** The whole log path as a user meets it: a call through the router process, its record in the collector's API. */
describe('request logs end to end: router -> log stream -> collector writer -> /v1/logs and /v1/analytics', () => {
  let env: TestEnvironment;
  let router: ServiceProcess;
  let collector: NestFastifyApplication;
  let url: string;
  let upstream: MockOpenAIServer;
  let tenant: SeededTenant;
  let client: OpenAI;

  const api = (path: string) => httpJson(`${url}${path}`, { token: tenant.projectKey });

  /** GET /v1/logs/{id} once the writer has stored it. */
  async function storedLog(id: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await api(`/v1/logs/${id}`);
      if (res.status === 200) return res.body;
      if (Date.now() > deadline) throw new Error(`log ${id} not stored: ${res.status} ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    env = await createTestEnvironment();
    router = await startServiceProcess('router', env.env, await freePort());
    collector = await startCollector(env.config, 0);
    url = (await collector.getUrl()).replace('[::1]', '127.0.0.1');
    upstream = await MockOpenAIServer.start();
    tenant = await seedTenant(router.url, env.config.admin.token, { provider: 'openai', slug: 'openai-main', credentials: { api_key: 'sk-e2e-log-0123456789' }, base_url: upstream.url });
    client = new OpenAI({ apiKey: tenant.projectKey, baseURL: `${router.url}/v1`, maxRetries: 0 });
  }, 60_000);

  afterAll(async () => {
    await collector?.close();
    await router?.stop();
    await upstream?.close();
    await env?.cleanup();
  });

  it('a JSON call shows up in GET /v1/logs with its tokens and cost, and in analytics by model', async () => {
    upstream.enqueue({ content: 'Hello there', usage: { prompt_tokens: 12, completion_tokens: 3 } });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], metadata: { team: 'search' } }, { headers: { 'x-gateway-event-id': 'evt-1' } })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello there');
    const logId = response.headers.get('x-gateway-log-id')!;
    const cost = Number(response.headers.get('x-gateway-cost'));
    expect(cost).toBeGreaterThan(0);

    const log = await storedLog(logId);
    expect(log).toMatchObject({ id: logId, success: true, status_code: 200, provider: 'openai', event_id: 'evt-1', tokens_in: 12, tokens_out: 3 });
    expect(Number(log['cost'])).toBeCloseTo(cost, 9);

    const listed = await api(`/v1/logs?filters=${encodeURIComponent(JSON.stringify([{ key: 'event_id', operator: 'eq', value: ['evt-1'] }]))}`);
    expect(listed.status).toBe(200);
    expect((listed.body.data as { id: string }[]).map((r) => r.id)).toEqual([logId]);

    const request = await api(`/v1/logs/${logId}/request`);
    expect(request.status).toBe(200);
    expect(JSON.stringify(request.body)).toContain('"Hi"');

    const analytics = await api('/v1/analytics?interval=day&group_by=model');
    expect(analytics.status).toBe(200);
    const row = (analytics.body.data as { group: string; requests: number; cost: number }[]).find((r) => r.group === log['model']);
    expect(row).toMatchObject({ requests: 1 });
    expect(Number(row!.cost)).toBeCloseTo(cost, 9);
  });

  it('a streamed call is stored once with the stream assembled as its response body', async () => {
    upstream.enqueue({ content: ['streamed', ' words'], usage: { prompt_tokens: 5, completion_tokens: 2 } });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream' }], stream: true }).withResponse();
    let text = '';
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('streamed words');
    const logId = stream.response.headers.get('x-gateway-log-id')!;

    const log = await storedLog(logId);
    expect(log).toMatchObject({ id: logId, stream: true, success: true, tokens_in: 5, tokens_out: 2 });
    const response = await api(`/v1/logs/${logId}/response`);
    expect(JSON.stringify(response.body)).toContain('streamed words');
  });

  it('zdr: a marker sent in a request body is nowhere in PostgreSQL (any table) nor under the Redis prefix once the log is stored', async () => {
    const settings = (body: Record<string, unknown>) =>
      httpJson(`${router.url}/v1/admin/organizations/${tenant.organizationId}/projects/default`, { method: 'PATCH', token: env.config.admin.token, body });
    expect((await settings({ zdr: true })).status).toBe(200);
    const pg = new Client({ connectionString: env.databaseUrl });
    const redis = new Redis(env.config.redis.url);
    try {
      await pg.connect();
      const marker = `zdr-marker-${randomBytes(8).toString('hex')}`;
      upstream.enqueue({ content: `echo ${marker}` });
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: marker }], metadata: { note: 'zdr' } })
        .withResponse();
      expect(data.choices[0]!.message.content).toContain(marker);
      const log = await storedLog(response.headers.get('x-gateway-log-id')!);
      expect(log['metadata']).toEqual({ note: 'zdr' });
      expect((await api(`/v1/logs/${String(log['id'])}/request`)).status).toBe(404);

      expect(await tablesContaining(pg, marker)).toEqual([]);
      expect(await redisKeysContaining(redis, `${env.config.redis.prefix}*`, marker)).toEqual([]);

      // The same scans find a marker where bodies are kept.
      await settings({ zdr: false });
      const kept = `kept-marker-${randomBytes(8).toString('hex')}`;
      const keptAnswer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: kept }] }).withResponse();
      await storedLog(keptAnswer.response.headers.get('x-gateway-log-id')!);
      expect((await tablesContaining(pg, kept)).some((t) => t.startsWith('public.request_log_bodies_'))).toBe(true);
    } finally {
      await settings({ zdr: false });
      await redis.quit();
      await pg.end();
    }
  });
  it('a call through a config or a saved prompt names it (and the variant or version) in its record, filterable by config and prompt', async () => {
    const projectApi = (path: string, body: unknown, method = 'POST') =>
      httpJson(`${router.url}/v1/admin/organizations/${tenant.organizationId}/projects/default${path}`, { token: env.config.admin.token, body, method });
    const config = await projectApi('/configs', { name: 'Logged config', slug: 'logged' });
    expect(config.status).toBe(201);
    expect((await projectApi('/configs/logged/variants', { name: 'control', model: 'gpt-4o-mini', system_prompt: 'Be brief.', parameters: {} })).status).toBe(201);
    expect((await projectApi('/configs/logged/rules', { rules: [{ variant: 'control' }] }, 'PUT')).status).toBe(200);
    const prompt = await projectApi('/prompts', { name: 'logged-prompt', model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'About {{ topic }}.' }], parameters: {} });
    expect(prompt.status).toBe(201);
    const promptId = prompt.body['id'] as string;

    const viaConfig = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }, { headers: { 'x-gateway-config': 'logged' } })
      .withResponse();
    const viaPrompt = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], prompt: { prompt_id: promptId, variables: { topic: 'logs' } } } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    const configLog = await storedLog(viaConfig.response.headers.get('x-gateway-log-id')!);
    expect(configLog['routing']).toEqual({ config: { id: config.body['id'], slug: 'logged', variant: 'control', version: 1 } });
    const promptLog = await storedLog(viaPrompt.response.headers.get('x-gateway-log-id')!);
    expect(promptLog['routing']).toEqual({ prompt: { id: promptId, name: 'logged-prompt', version: 1 } });

    const filtered = async (filters: unknown[]) => {
      const res = await api(`/v1/logs?filters=${encodeURIComponent(JSON.stringify(filters))}`);
      expect(res.status).toBe(200);
      return (res.body.data as { id: string }[]).map((r) => r.id);
    };
    expect(await filtered([{ key: 'config', operator: 'eq', value: ['logged'] }])).toEqual([configLog['id']]);
    expect(await filtered([{ key: 'config', operator: 'eq', value: ['logged'] }, { key: 'config_variant', operator: 'eq', value: ['candidate'] }])).toEqual([]);
    expect(await filtered([{ key: 'prompt_id', operator: 'eq', value: [promptId] }])).toEqual([promptLog['id']]);
  });
});
