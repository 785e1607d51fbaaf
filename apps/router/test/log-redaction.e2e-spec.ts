import {
  createTestEnvironment,
  freePort,
  httpJson,
  MockOpenAIServer,
  rawRequest,
  seedTenant,
  startServiceProcess,
  type SeededTenant,
  type ServiceProcess,
  type TestEnvironment,
} from '@switchyard/testing';

/** Issue 18 item 4: no access key in any service's log, at trace level, across the requests that carry one. */
describe('no access key in any log (every service at LOG_LEVEL=trace)', () => {
  let env: TestEnvironment;
  let mock: MockOpenAIServer;
  let services: Record<'router' | 'collector' | 'documents', ServiceProcess>;
  let tenant: SeededTenant;

  beforeAll(async () => {
    env = await createTestEnvironment();
    mock = await MockOpenAIServer.start();
    const traceEnv = { ...env.env, LOG_LEVEL: 'trace' };
    // One after the other: three processes booting at once on a small machine can miss the health deadline.
    const router = await startServiceProcess('router', traceEnv, await freePort());
    const collector = await startServiceProcess('collector', traceEnv, await freePort());
    const documents = await startServiceProcess('documents', traceEnv, await freePort());
    services = { router, collector, documents };
    tenant = await seedTenant(router.url, env.config.admin.token, { provider: 'openai', slug: 'mock', credentials: { api_key: 'sk-test-redaction-0000' }, base_url: mock.url });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(Object.values(services ?? {}).map((s) => s.stop()));
    await mock?.close();
    await env?.cleanup();
  });

  it('router, collector and documents log nothing of the keys they were sent', async () => {
    const keys = [tenant.projectKey, tenant.orgKey];
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    for (const key of keys) {
      // Router: chat (raw route), a Fastify route, an admin route refused, a bad body.
      expect((await httpJson(`${services.router.url}/v1/chat/completions`, { token: key, body: { model: '@mock/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } })).status).toBe(200);
      await httpJson(`${services.router.url}/v1/models`, { token: key });
      await httpJson(`${services.router.url}/v1/admin/organizations`, { token: key, body: { name: 'x' } });
      await rawRequest(`${services.router.url}/v1/chat/completions`, { headers: { ...bearer(key), 'content-type': 'application/json' }, chunks: ['{"model":'] });
      // Collector: an export, a query.
      await rawRequest(`${services.collector.url}/v1/traces`, { headers: { ...bearer(key), 'content-type': 'application/json' }, chunks: ['{"resourceSpans":[]}'] });
      await httpJson(`${services.collector.url}/v1/runs`, { token: key });
      // Documents: a multipart upload (the parser's options, headers included, are traced) and a JSON one.
      const form = new FormData();
      form.append('options', '{}');
      form.append('file', new Blob([new Uint8Array(Buffer.from('%PDF-1.4 not really'))]), 'a.pdf');
      await httpJson(`${services.documents.url}/v1/documents/parse`, { token: key, body: form });
      await httpJson(`${services.documents.url}/v1/documents/parse`, { token: key, body: { file: 'aGVsbG8=' } });
    }
    await new Promise((r) => setTimeout(r, 500));
    for (const [name, service] of Object.entries(services)) {
      const output = service.output();
      expect(output.length).toBeGreaterThan(1_000); // trace level really logged
      for (const key of keys) {
        if (output.includes(key) || output.includes(key.slice(3))) throw new Error(`${name} logged an access key`);
      }
      expect(output).not.toContain(env.config.admin.token);
    }
    expect(services.documents.output()).toContain('Providing options to busboy');
    expect(services.documents.output()).toContain('[redacted]');
  }, 120_000);
});
