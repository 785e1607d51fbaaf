import { httpJson, type MockOpenAIServer, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import OpenAI from 'openai';
import { startRouter } from '../src/bootstrap';
import { startRouterFixture, type RouterFixture } from './router-fixture';

type Sent = { model: string; messages: { role: string; content: string }[]; temperature?: number; max_tokens?: number; input?: unknown };

/** LLMOps configs (`x-gateway-config`) and Keywords AI saved prompts (`prompt`) through the router with the official SDK (docs/routing.md). */
describe('configs and prompts through the router', () => {
  let fx: RouterFixture;
  let env: TestEnvironment, url: string, openai: MockOpenAIServer, tenant: SeededTenant, client: OpenAI;

  const admin = <T = Record<string, unknown>>(path: string, body?: unknown, method?: string) =>
    httpJson<T>(`${url}/v1/admin/organizations/${tenant.organizationId}/projects/default/configs${path}`, { token: env.config.admin.token, body, ...(method ? { method } : {}) });
  const ask = (headers: Record<string, string>, extra: Record<string, unknown> = {}) =>
    client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }], ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming, { headers }).withResponse();
  const lastSent = () => openai.requests.at(-1)!.body as Sent;

  beforeAll(async () => {
    fx = await startRouterFixture({ apiKey: 'sk-configs-openai-key' });
    ({ env, url, upstream: openai, tenant, client } = fx);
    expect((await admin('', { name: 'Support bot', slug: 'support' })).status).toBe(201);
    const control = await admin('/support/variants', { name: 'control', model: 'gpt-4o-mini', system_prompt: 'You help {{ name | title }}{{ missing }} in {{ locale | default("en") }}.', parameters: { temperature: 0.1 } });
    expect(control.status).toBe(201);
    expect((await admin('/support/variants', { name: 'candidate', model: 'gpt-4.1', parameters: { temperature: 0.9, max_tokens: 64 } })).status).toBe(201);
    const rules = await admin('/support/rules', { rules: [{ variant: 'candidate', priority: 10, conditions: { '==': [{ var: 'metadata.plan' }, 'pro'] } }, { variant: 'control' }] }, 'PUT');
    expect(rules.status).toBe(200);
  });

  beforeEach(() => openai.reset());

  afterAll(() => fx?.close());

  it('merges the matching variant: system prompt rendered from input and prepended, parameters applied, input removed', async () => {
    const { data, response } = await ask({ 'x-gateway-config': 'support' }, { input: { name: 'ada' }, temperature: 1 });
    expect(data.choices[0]!.message.content).toBeTruthy();
    expect(response.headers.get('x-gateway-config-variant')).toBe('control@1');
    expect(response.headers.get('x-gateway-config')).toBe('support');
    const sent = lastSent();
    expect(sent.model).toBe('gpt-4o-mini');
    expect(sent.temperature).toBe(0.1);
    expect(sent.messages).toEqual([
      { role: 'system', content: 'You help Ada in en.' },
      { role: 'user', content: 'Hello!' },
    ]);
    expect(sent).not.toHaveProperty('input');
  });

  it('evaluates conditions over the metadata header (x-llmops-config alias): the variant overrides the model', async () => {
    const { response } = await ask({ 'x-llmops-config': 'support', 'x-gateway-metadata': JSON.stringify({ plan: 'pro' }) });
    expect(response.headers.get('x-gateway-config-variant')).toBe('candidate@1');
    expect(response.headers.get('x-gateway-model')).toBe('gpt-4.1');
    expect(lastSent()).toMatchObject({ model: 'gpt-4.1', temperature: 0.9, max_tokens: 64, messages: [{ role: 'user', content: 'Hello!' }] });
  });

  it('serves a new version at once to rules that follow the latest, and the pinned version to rules that pin it', async () => {
    const config = await admin<{ id: string }>('/support');
    expect((await admin('/support/variants/control/versions', { model: 'gpt-4o-mini', system_prompt: 'v2 for {{ name }}', parameters: {} })).status).toBe(201);
    // By id, and through the legacy header name.
    const latest = await ask({ 'x-llmops-prompt': config.body.id }, { input: { name: 'Bo' } });
    expect(latest.response.headers.get('x-gateway-config-variant')).toBe('control@2');
    expect(lastSent().messages[0]).toEqual({ role: 'system', content: 'v2 for Bo' });
    expect((await admin('/support/rules', { rules: [{ variant: 'control', version: 1 }] }, 'PUT')).status).toBe(200);
    const pinned = await ask({ 'x-gateway-config': 'support' }, { input: { name: 'bo' } });
    expect(pinned.response.headers.get('x-gateway-config-variant')).toBe('control@1');
    expect(lastSent().messages[0]).toEqual({ role: 'system', content: 'You help Bo in en.' });
  });

  it('splits requests between equal-priority rules by weight', async () => {
    expect((await admin('/support/rules', { rules: [{ variant: 'control', weight: 7000 }, { variant: 'candidate', weight: 3000 }] }, 'PUT')).status).toBe(200);
    const seen: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const { response } = await ask({ 'x-gateway-config': 'support' });
      const v = response.headers.get('x-gateway-config-variant')!.split('@')[0]!;
      seen[v] = (seen[v] ?? 0) + 1;
    }
    // 200 draws of a 70 % share: outside 55-85 % has a probability below 1e-5 (the unit test checks ±2 points over 10,000).
    expect(seen['control']! + seen['candidate']!).toBe(200);
    expect(seen['control']).toBeGreaterThanOrEqual(110);
    expect(seen['control']).toBeLessThanOrEqual(170);
  });

  it('answers clear errors: unknown config, input without a config, no matching rule', async () => {
    await expect(ask({ 'x-gateway-config': 'nope' })).rejects.toMatchObject({ status: 404, code: 'config_not_found', param: 'x-gateway-config' });
    await expect(ask({}, { input: { name: 'x' } })).rejects.toMatchObject({ status: 400, param: 'input' });
    expect((await admin('/support/rules', { rules: [{ variant: 'control', environment: 'production' }] }, 'PUT')).status).toBe(200);
    await expect(ask({ 'x-gateway-config': 'support' })).rejects.toMatchObject({ status: 400, code: 'config_no_match' });
    expect(openai.requests).toHaveLength(0);
  });

  it('refuses on save what could not be served: templates reaching code, unknown JSONLogic operations, unknown parameters', async () => {
    const bad = await admin<{ error: { code: string; param: string } }>('/support/variants/control/versions', { system_prompt: '{% include "/etc/passwd" %}' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_template', param: 'system_prompt' });
    const op = await admin<{ error: { code: string; param: string } }>('/support/rules', { rules: [{ variant: 'control', conditions: { log: 'x' } }] }, 'PUT');
    expect(op.status).toBe(400);
    expect(op.body.error).toMatchObject({ code: 'invalid_condition', param: 'rules[0].conditions' });
    const param = await admin<{ error: { param: string } }>('/support/variants', { name: 'x', parameters: { messages: [] } });
    expect(param.status).toBe(400);
    expect(param.body.error.param).toBe('parameters.messages');
    expect((await admin('/support/variants', { name: 'control' })).status).toBe(409);
    const listed = await admin<{ data: { slug: string }[] }>('');
    expect(listed.body.data.map((c) => c.slug)).toEqual(['support']);
  });

  it('a second router replica serves a new version within a second (configs.changed over Redis)', async () => {
    expect((await admin('/support/rules', { rules: [{ variant: 'control' }] }, 'PUT')).status).toBe(200);
    const replica = await startRouter(env.config, 0);
    try {
      const other = new OpenAI({ apiKey: tenant.projectKey, baseURL: `${await replica.getUrl()}/v1`, maxRetries: 0 });
      const variantAt = async (c: OpenAI) =>
        (await c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }, { headers: { 'x-gateway-config': 'support' } }).withResponse()).response.headers.get('x-gateway-config-variant')!;
      const before = Number((await variantAt(other)).split('@')[1]); // the replica now holds the project's configs
      expect((await admin('/support/variants/control/versions', { model: 'gpt-4o-mini', parameters: {} })).status).toBe(201);
      const changed = Date.now();
      let seen = await variantAt(other);
      while (seen !== `control@${before + 1}` && Date.now() - changed < 1000) seen = await variantAt(other);
      expect(seen).toBe(`control@${before + 1}`);
    } finally {
      await replica.close();
    }
  });

  describe('saved prompts', () => {
    const prompts = <T = Record<string, unknown>>(path: string, body?: unknown, method?: string) =>
      httpJson<T>(`${url}/v1/admin/organizations/${tenant.organizationId}/projects/default/prompts${path}`, { token: env.config.admin.token, body, ...(method ? { method } : {}) });
    let promptId: string;
    const withPrompt = (prompt: Record<string, unknown>, extra: Record<string, unknown> = {}) => ask({}, { prompt: { prompt_id: promptId, ...prompt }, ...extra });

    beforeAll(async () => {
      const created = await prompts<{ id: string; deployed_version: number }>('', {
        name: 'haiku',
        model: 'gpt-4.1',
        messages: [{ role: 'system', content: 'v1: haiku about {{ topic }}{{ missing }}.' }],
        parameters: { temperature: 0.3 },
      });
      expect(created.status).toBe(201);
      expect(created.body.deployed_version).toBe(1);
      promptId = created.body.id;
      expect((await prompts('/haiku/versions', { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'v2: limerick about {{ topic }}.' }] })).status).toBe(201);
    });

    it('serves the deployed version when version is omitted, the newest draft for "latest", and a pinned number', async () => {
      const deployed = await withPrompt({ variables: { topic: 'cats' } });
      expect(deployed.response.headers.get('x-gateway-prompt')).toBe(`${promptId}@1`);
      expect(lastSent().messages).toEqual([{ role: 'system', content: 'v1: haiku about cats.' }, { role: 'user', content: 'Hello!' }]);
      expect(lastSent()).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.3 });

      const latest = await withPrompt({ variables: { topic: 'dogs' }, version: 'latest' });
      expect(latest.response.headers.get('x-gateway-prompt')).toBe(`${promptId}@2`);
      expect(lastSent().messages[0]).toEqual({ role: 'system', content: 'v2: limerick about dogs.' });

      expect((await prompts('/haiku/deployments', { version: 2 })).status).toBe(201);
      expect((await withPrompt({ variables: { topic: 'owls' } })).response.headers.get('x-gateway-prompt')).toBe(`${promptId}@2`);
      const pinned = await withPrompt({ variables: { topic: 'owls' }, version: 1, override: true });
      expect(pinned.response.headers.get('x-gateway-prompt')).toBe(`${promptId}@1`);
      // override: the prompt's model and messages replace the request's
      expect(lastSent()).toMatchObject({ model: 'gpt-4.1', messages: [{ role: 'system', content: 'v1: haiku about owls.' }] });
      expect(lastSent().messages).toHaveLength(1);
    });

    it('applies override_params last and echoes the messages sent', async () => {
      const { data } = await withPrompt({
        prompt_id: 'haiku',
        version: 1,
        echo: true,
        override_params: { temperature: 0.7, messages: [{ role: 'user', content: 'Shorter.' }] },
        override_config: { messages_override_mode: 'append' },
      });
      const sent = lastSent();
      expect(sent.temperature).toBe(0.7);
      expect(sent.messages.map((m) => m.content)).toEqual(['v1: haiku about .', 'Hello!', 'Shorter.']);
      expect((data as unknown as { prompt_messages: unknown }).prompt_messages).toEqual(sent.messages);
    });

    it('answers clear errors: unknown prompt, unknown version, prompt with a config, echo with stream', async () => {
      await expect(ask({}, { prompt: { prompt_id: 'nope' } })).rejects.toMatchObject({ status: 404, code: 'prompt_not_found', param: 'prompt.prompt_id' });
      await expect(withPrompt({ version: 9 })).rejects.toMatchObject({ status: 404, code: 'prompt_version_not_found' });
      await expect(ask({ 'x-gateway-config': 'support' }, { prompt: { prompt_id: promptId } })).rejects.toMatchObject({ status: 400, param: 'prompt' });
      await expect(withPrompt({ echo: true }, { stream: true })).rejects.toMatchObject({ status: 400, param: 'prompt.echo' });
      const badTemplate = await prompts<{ error: { param: string } }>('/haiku/versions', { messages: [{ role: 'user', content: '{{ range(5) }}' }] });
      expect(badTemplate.status).toBe(400);
      expect(badTemplate.body.error.param).toBe('messages[0].content');
      const versions = await prompts<{ data: { version: number; deployed: boolean }[] }>('/haiku/versions');
      expect(versions.body.data.map((v) => [v.version, v.deployed])).toEqual([[1, false], [2, true]]);
    });
  });
});
